"""Tokenizer, model and data set of the text classifier: tiny and built locally, or pretrained on Azure ML.

Locally (no ``--pretrained-model``) nothing is downloaded: a WordPiece tokenizer is trained on the
training texts in a second and a small BERT is built from a config with random weights. It learns
the shipped tickets well enough for the loop and the tests. On Azure ML, ``--pretrained-model``
(e.g. ``distilbert-base-uncased``) fine-tunes a pretrained model with its own tokenizer instead;
both paths give a ``transformers`` tokenizer and model saved together with ``save_pretrained``.
"""

from __future__ import annotations

import string
from collections import Counter

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from torch.utils.data import Dataset
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    PreTrainedTokenizerFast,
)
from transformers.utils import logging as transformers_logging

# Progress bars for saving and loading weights fill CI and Azure ML logs with carriage returns.
transformers_logging.disable_progress_bar()

SPECIAL_TOKENS = {
    "unk_token": "[UNK]",
    "pad_token": "[PAD]",
    "cls_token": "[CLS]",
    "sep_token": "[SEP]",
    "mask_token": "[MASK]",
}
# Sized for a few thousand short tickets on a CPU: ~0.3 M parameters, a training step in milliseconds.
# A word seen once is as likely a typo or an order number as a word: it is spelt in pieces instead.
MIN_WORD_COUNT = 2
TINY_MODEL = {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 128}


def train_wordpiece(texts: list[str], vocab_size: int, max_length: int) -> PreTrainedTokenizerFast:
    """A lower-casing BERT-style WordPiece tokenizer whose vocabulary is learnt from ``texts``.

    The vocabulary is the most frequent words (ties in alphabetical order) plus every printable
    character, alone and as a "##" continuation, so that any word splits into known pieces. Counted
    here rather than with ``tokenizers``' WordPiece trainer, whose tie-breaking changes from run to
    run: the same texts must give the same tokenizer, or two identical runs train different models.
    """
    tokenizer = Tokenizer(models.WordPiece(unk_token=SPECIAL_TOKENS["unk_token"]))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    counts = Counter(
        word
        for text in texts
        for word, _ in tokenizer.pre_tokenizer.pre_tokenize_str(tokenizer.normalizer.normalize_str(text))
    )
    alphabet = sorted(set(string.printable.strip().lower()) | {c for word in counts for c in word})
    vocab = list(SPECIAL_TOKENS.values()) + alphabet + [f"##{c}" for c in alphabet]
    known = set(vocab)
    words = sorted(
        (w for w, n in counts.items() if n >= MIN_WORD_COUNT and w not in known), key=lambda w: (-counts[w], w)
    )
    vocab += words[: max(vocab_size - len(vocab), 0)]
    tokenizer.model = models.WordPiece(
        {token: i for i, token in enumerate(vocab)}, unk_token=SPECIAL_TOKENS["unk_token"]
    )
    cls, sep = SPECIAL_TOKENS["cls_token"], SPECIAL_TOKENS["sep_token"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{cls} $A {sep}",
        pair=f"{cls} $A {sep} $B:1 {sep}:1",
        special_tokens=[(cls, tokenizer.token_to_id(cls)), (sep, tokenizer.token_to_id(sep))],
    )
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, model_max_length=max_length, **SPECIAL_TOKENS)


def tokenizer_from_json(serialised: str, max_length: int) -> PreTrainedTokenizerFast:
    """The tokenizer another process trained (see ``train.shared_tokenizer``)."""
    return PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer.from_str(serialised), model_max_length=max_length, **SPECIAL_TOKENS
    )


def pretrained_tokenizer(name: str):
    return AutoTokenizer.from_pretrained(name)


def build_model(labels: list[str], vocab_size: int, max_length: int, pretrained: str = "", dropout: float = 0.1):
    """A sequence classifier for ``labels``: pretrained weights when ``pretrained`` names a model, else tiny."""
    id2label = dict(enumerate(labels))
    label2id = {label: i for i, label in id2label.items()}
    if pretrained:
        # The pretrained body with a new classification head sized for our labels.
        return AutoModelForSequenceClassification.from_pretrained(
            pretrained, num_labels=len(labels), id2label=id2label, label2id=label2id, ignore_mismatched_sizes=True
        )
    config = BertConfig(
        vocab_size=vocab_size,
        max_position_embeddings=max_length,
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
        num_labels=len(labels),
        id2label=id2label,
        label2id=label2id,
        **TINY_MODEL,
    )
    return AutoModelForSequenceClassification.from_config(config)


class EncodedTexts(Dataset):
    """Texts tokenized once, padded to the longest in the set: items are ``(inputs, label)`` for ``fit``."""

    def __init__(self, tokenizer, texts: list[str], labels: list[int] | None = None, max_length: int = 128):
        encoded = tokenizer(list(texts), truncation=True, max_length=max_length, padding=True, return_tensors="pt")
        # token_type_ids are all zero for single texts, and some models (DistilBERT) do not take them.
        self.inputs = {k: v for k, v in encoded.items() if k in ("input_ids", "attention_mask")}
        self.labels = torch.tensor(labels if labels is not None else [0] * len(texts), dtype=torch.long)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int):
        return {name: tensor[index] for name, tensor in self.inputs.items()}, self.labels[index]
