# Alerts on the online endpoint's requests, e-mailed to alert_email (docs/observability.md).
# - latency: Application Insights' standard metric requests/duration, which the inference server feeds with one
#   request per call when the deployment sets app_insights_enabled (mlops/azureml/deploy/online/deployment.yml);
# - error rate: the share of score.py's requests that ended in a server error (serving/telemetry.py exports the
#   counter scoring_requests, by outcome, to the same Application Insights as custom metrics).

variable "alert_email" {
  description = "E-mail address the endpoint's latency and error-rate alerts go to."
  type        = string
  default     = {{ cookiecutter.alert_email | tojson }}
}

variable "alert_latency_ms" {
  description = "Alert when the endpoint's average request duration over 15 minutes exceeds this (milliseconds)."
  type        = number
  default     = 1000
}

variable "alert_error_rate_percent" {
  description = "Alert when more than this share of scoring requests ended in a server error over 15 minutes."
  type        = number
  default     = 5
}

resource "azurerm_monitor_action_group" "alerts" {
  name                = "ag-${var.resource_prefix}-${var.environment}"
  resource_group_name = data.azurerm_resource_group.main.name
  short_name          = substr("mlops${var.environment}", 0, 12)
  tags                = local.tags

  email_receiver {
    name                    = "alert-email"
    email_address           = var.alert_email
    use_common_alert_schema = true
  }
}

resource "azurerm_monitor_metric_alert" "latency" {
  name                = "alert-${var.resource_prefix}-${var.environment}-latency"
  resource_group_name = data.azurerm_resource_group.main.name
  scopes              = [azurerm_application_insights.main.id]
  description         = "Average scoring request duration above ${var.alert_latency_ms} ms."
  severity            = 2
  frequency           = "PT5M"
  window_size         = "PT15M"
  tags                = local.tags

  criteria {
    metric_namespace = "microsoft.insights/components"
    metric_name      = "requests/duration"
    aggregation      = "Average"
    operator         = "GreaterThan"
    threshold        = var.alert_latency_ms
  }

  action {
    action_group_id = azurerm_monitor_action_group.alerts.id
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "error_rate" {
  name                 = "alert-${var.resource_prefix}-${var.environment}-error-rate"
  resource_group_name  = data.azurerm_resource_group.main.name
  location             = data.azurerm_resource_group.main.location
  scopes               = [azurerm_application_insights.main.id]
  description          = "More than ${var.alert_error_rate_percent}% of scoring requests ended in a server error."
  severity             = 1
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"
  tags                 = local.tags

  criteria {
    query                   = <<-KQL
      customMetrics
      | where name == "scoring_requests"
      | extend outcome = tostring(customDimensions.outcome)
      | summarize total = sum(valueSum), failed = sumif(valueSum, outcome == "server_error")
      | extend error_rate = iff(total > 0, 100.0 * failed / total, 0.0)
    KQL
    time_aggregation_method = "Maximum"
    metric_measure_column   = "error_rate"
    operator                = "GreaterThan"
    threshold               = var.alert_error_rate_percent

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 1
      number_of_evaluation_periods             = 1
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.alerts.id]
  }
}
