"""The ResNet builder: small from a config locally, a pretrained checkpoint with a new head for your labels."""

import torch

from {{ cookiecutter.package_name }}.cv import network

LABELS = ["circle", "cross", "square", "triangle"]


def test_the_local_model_is_built_from_a_config_with_the_label_names():
    model = network.build_model(LABELS)
    assert model.config.id2label == dict(enumerate(LABELS))
    assert model(pixel_values=torch.zeros(2, 3, 32, 32)).logits.shape == (2, 4)
    assert sum(p.numel() for p in model.parameters()) < 100_000  # small enough to train on a CPU in seconds


def test_a_pretrained_checkpoint_gets_a_new_head_sized_for_the_labels(tmp_path):
    """What --pretrained-model does on Azure ML, with a local checkpoint instead of a Hub download."""
    checkpoint = network.build_model(["a", "b", "c", "d", "e", "f"], width=8)
    checkpoint.save_pretrained(tmp_path)
    model = network.build_model(LABELS, pretrained_model=str(tmp_path))
    assert model.config.label2id == {label: index for index, label in enumerate(LABELS)}
    assert model(pixel_values=torch.zeros(1, 3, 32, 32)).logits.shape == (1, 4)
    # The body keeps the checkpoint's weights; only the classifier head is new.
    assert torch.equal(
        model.resnet.embedder.embedder.convolution.weight, checkpoint.resnet.embedder.embedder.convolution.weight
    )
