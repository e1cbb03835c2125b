"""Metrics against values computed by hand."""

import numpy as np
import pytest

from classifier.ml import metrics as M

SCORES = np.array([[0.1, 0.9, 0.0], [0.8, 0.15, 0.05], [0.2, 0.3, 0.5]])


def test_hit_at_1_with_class_indices_and_multi_hot():
    assert M.hit_at_1(SCORES, np.array([1, 1, 2])) == pytest.approx(2 / 3)
    multi_hot = np.array([[0, 1, 0], [1, 1, 0], [0, 0, 0]])
    assert M.hit_at_1(SCORES, multi_hot) == pytest.approx(2 / 3)


def test_gap_at_k_youtube8m_definition():
    labels = np.array([[0, 1, 0], [0, 1, 0], [1, 0, 1]])
    # top-2 pooled, sorted: .9 R, .8 N, .5 R, .3 N, .15 R, .1 N; 4 positives in total
    expected = (1 / 1 + 2 / 3 + 3 / 5) / 4
    assert M.gap_at_k(SCORES, labels, k=2) == pytest.approx(expected)
    # k=1: .9 R, .8 N, .5 R -> (1 + 2/3) / 4
    assert M.gap_at_k(SCORES, labels, k=1) == pytest.approx((1 + 2 / 3) / 4)
    assert M.gap_at_k(SCORES, np.array([1, 0, 2]), k=20) == pytest.approx(1.0)


def test_accuracy_ignores_unknown_labels():
    assert M.accuracy(np.array([0, 1, -1, 2]), np.array([0, 2, 1, 2])) == pytest.approx(2 / 3)
    assert M.accuracy(np.array([-1]), np.array([0])) == 0.0


def test_confusion_matrix_and_macro_f1():
    y_true, y_pred = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 1, 0])
    cm = M.confusion_matrix(y_true, y_pred, 3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 2, 0], [1, 0, 0]])
    # F1: class 0 = 0.5, class 1 = 0.8, class 2 = 0
    assert M.macro_f1(y_true, y_pred, 3) == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    # a class absent from truth and predictions does not count
    assert M.macro_f1(y_true, y_pred, 4) == pytest.approx((0.5 + 0.8 + 0.0) / 3)


def test_per_category_report():
    report = M.per_category_report(np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 1, 0]), ["a", "b", "c"])
    assert report[1] == {"code": "b", "support": 2, "predicted": 3, "precision": pytest.approx(2 / 3),
                         "recall": 1.0, "f1": pytest.approx(0.8)}
    assert report[2]["f1"] == 0.0


def test_hierarchical_f1_counts_shared_ancestors():
    assert M.hierarchical_f1([("A", "A1", "A1x")], [("A", "A2")]) == pytest.approx(0.4)
    both = M.hierarchical_f1([("A", "A1", "A1x"), ("B", "B1")], [("A", "A2"), ("B", "B1")])
    assert both == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert M.hierarchical_f1([("A",)], [("B",)]) == 0.0


def test_expected_calibration_error():
    ece = M.expected_calibration_error(np.array([0.9, 0.9, 0.6, 0.2]), np.array([1, 0, 1, 0]), n_bins=5)
    assert ece == pytest.approx(0.5 * 0.4 + 0.25 * 0.4 + 0.25 * 0.2)
    assert M.expected_calibration_error(np.array([1.0, 1.0]), np.array([1, 1])) == pytest.approx(0.0)
