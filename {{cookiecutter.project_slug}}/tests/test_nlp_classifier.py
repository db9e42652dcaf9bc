"""The local tokenizer and tiny model: built offline, repeatable, and shaped for the training loop."""

import torch

from {{ cookiecutter.package_name }}.nlp import classifier

TEXTS = ["My parcel is late", "I was charged twice", "The app crashes", "I cannot log in"] * 5


def test_the_tokenizer_is_the_same_for_the_same_texts():
    first = classifier.train_wordpiece(TEXTS, vocab_size=500, max_length=32)
    second = classifier.train_wordpiece(list(TEXTS), vocab_size=500, max_length=32)
    assert first.backend_tokenizer.to_str() == second.backend_tokenizer.to_str()


def test_unseen_words_and_characters_split_into_known_pieces():
    tokenizer = classifier.train_wordpiece(TEXTS, vocab_size=500, max_length=32)
    tokens = tokenizer.tokenize("My PARCEL is lost!!")
    assert tokens[:3] == ["my", "parcel", "is"]  # lower-cased
    assert "[UNK]" not in tokens  # "lost" and "!" were never seen, but their characters were learnt
    assert tokenizer("hi")["input_ids"][0] == tokenizer.cls_token_id


def test_the_tiny_model_gives_one_logit_per_label_for_a_batch():
    tokenizer = classifier.train_wordpiece(TEXTS, vocab_size=500, max_length=32)
    labels = ["account", "billing", "shipping", "technical"]
    model = classifier.build_model(labels, len(tokenizer), max_length=32)
    data = classifier.EncodedTexts(tokenizer, TEXTS[:3], [2, 1, 3], max_length=32)
    inputs, label = data[0]
    assert set(inputs) == {"input_ids", "attention_mask"} and int(label) == 2
    batch = {name: tensor[:3] for name, tensor in data.inputs.items()}
    with torch.no_grad():
        assert model(**batch).logits.shape == (3, 4)
    assert model.config.id2label[1] == "billing"
