// Alerts on the online endpoint's requests, e-mailed to alertEmail (docs/observability.md).
// - latency: Application Insights' standard metric requests/duration, which the inference server feeds with one
//   request per call when the deployment sets app_insights_enabled (mlops/azureml/deploy/online/deployment.yml);
// - error rate: the share of score.py's requests that ended in a server error (serving/telemetry.py exports the
//   counter scoring_requests, by outcome, to the same Application Insights as custom metrics).
param location string
param namePrefix string
param applicationInsightsId string
param alertEmail string
param latencyMs int = 1000
param errorRatePercent int = 5
param tags object

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take(replace('mlops${namePrefix}', '-', ''), 12)
    enabled: true
    emailReceivers: [
      {
        name: 'alert-email'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource latency 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-${namePrefix}-latency'
  location: 'global'
  tags: tags
  properties: {
    description: 'Average scoring request duration above ${latencyMs} ms.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'duration'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'requests/duration'
          timeAggregation: 'Average'
          operator: 'GreaterThan'
          threshold: latencyMs
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource errorRate 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${namePrefix}-error-rate'
  location: location
  tags: tags
  properties: {
    description: 'More than ${errorRatePercent}% of scoring requests ended in a server error.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "scoring_requests" | extend outcome = tostring(customDimensions.outcome) | summarize total = sum(valueSum), failed = sumif(valueSum, outcome == "server_error") | extend error_rate = iff(total > 0, 100.0 * failed / total, 0.0)'
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'error_rate'
          operator: 'GreaterThan'
          threshold: errorRatePercent
          failingPeriods: {
            minFailingPeriodsToAlert: 1
            numberOfEvaluationPeriods: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}
