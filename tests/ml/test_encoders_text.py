"""Text encoders: the multilingual USE encoder and the registry."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from classifier.ml.encoders import text
from classifier.ml.encoders.text import (
    TextEncoder,
    create_text_encoder,
    list_text_encoders,
    register_text_encoder,
)


@pytest.fixture(scope="module")
def use() -> TextEncoder:
    return create_text_encoder("use-multilingual")


def test_chinese_and_english_paraphrases_are_closer_than_unrelated_pairs(use):
    zh_cat, en_cat, zh_stock, en_stock = use.encode(
        [
            "一只猫在沙发上睡觉",
            "A cat is sleeping on the sofa",
            "股票市场今天大跌",
            "The stock market fell sharply today",
        ]
    )
    same_meaning = [zh_cat @ en_cat, zh_stock @ en_stock]
    unrelated = [zh_cat @ en_stock, zh_stock @ en_cat, zh_cat @ zh_stock]
    assert min(same_meaning) > max(unrelated) + 0.3


def test_output_shape_dtype_and_norm(use):
    out = use.encode(["篮球比赛精彩集锦", "cooking pasta at home", ""])
    assert out.shape == (3, use.dim) == (3, 512)
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out[:2], axis=1), 1.0, atol=1e-4)
    assert use.encode([]).shape == (0, 512)
    with pytest.raises(TypeError):
        use.encode([b"bytes are not text"])


def test_encoding_is_deterministic_and_batch_independent(use):
    batch = use.encode(["猫", "dog videos", "纪录片：长江"])
    alone = use.encode(["dog videos"])
    np.testing.assert_allclose(batch[1], alone[0], atol=1e-5)
    assert use.encoder_id == create_text_encoder("use-multilingual").encoder_id
    assert use.encoder_id.startswith("use-multilingual-v3-")


def test_registry_plugs_in_another_encoder(monkeypatch):
    monkeypatch.setattr(text, "_TEXT_ENCODERS", dict(text._TEXT_ENCODERS))

    @register_text_encoder("char-count")
    class CharCount(TextEncoder):
        dim = 1
        encoder_id = "char-count-1"

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            return np.array([[len(t)] for t in texts], dtype=np.float32).reshape(-1, 1)

    assert "char-count" in list_text_encoders()
    assert list_text_encoders("use-*") == ["use-multilingual"]
    assert create_text_encoder("char-count").encode(["你好", "abc"]).tolist() == [[2.0], [3.0]]
    with pytest.raises(ValueError, match="already registered"):
        register_text_encoder("char-count")(CharCount)
    with pytest.raises(KeyError, match="unknown text encoder"):
        create_text_encoder("bert-huge")


def test_interface_is_enforced():
    class Incomplete(TextEncoder):
        dim = 3

    with pytest.raises(TypeError):
        Incomplete()
