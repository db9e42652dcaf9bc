"""The image classifier: a standard ResNet from Hugging Face transformers.

Locally (and in the tests) a small ResNet is built from a config with random weights: nothing is
downloaded and it trains on a CPU in seconds. On Azure ML, ``--pretrained-model microsoft/resnet-18``
(or any ResNet on the Hugging Face Hub) starts from ImageNet weights and replaces the classifier
head with one sized for your labels.
"""

from __future__ import annotations

from transformers import ResNetConfig, ResNetForImageClassification

DEFAULT_WIDTH = 16


def label_maps(labels: list[str]) -> tuple[dict[int, str], dict[str, int]]:
    return dict(enumerate(labels)), {label: index for index, label in enumerate(labels)}


def build_model(labels: list[str], pretrained_model: str = "", width: int = DEFAULT_WIDTH):
    """A ResNet for ``labels``: pretrained when a model name is given, else small and built from a config."""
    id2label, label2id = label_maps(labels)
    if pretrained_model:
        return ResNetForImageClassification.from_pretrained(
            pretrained_model,
            num_labels=len(labels),
            id2label=id2label,
            label2id=label2id,
            ignore_mismatched_sizes=True,  # the ImageNet head (1000 classes) is replaced, not loaded
        )
    config = ResNetConfig(
        num_channels=3,
        embedding_size=width,
        hidden_sizes=[width, width * 2],  # two stages of basic blocks, like a ResNet-18 cut short
        depths=[1, 1],
        layer_type="basic",
        num_labels=len(labels),
        id2label=id2label,
        label2id=label2id,
    )
    return ResNetForImageClassification(config)
