"""The classifier in the loop: where features and models live, how retraining is triggered."""

from config.env import env_int, env_str

from .base import VAR_DIR

CLIPCAT_FEATURE_DIR = env_str("CLIPCAT_FEATURE_DIR", str(VAR_DIR / "features"))
CLIPCAT_MODEL_DIR = env_str("CLIPCAT_MODEL_DIR", str(VAR_DIR / "models"))
CLIPCAT_ONNX_DIR = env_str("CLIPCAT_ONNX_DIR", str(VAR_DIR / "onnx"))
# Frame feature backend: auto (int8 ONNX on CPU, bf16 torch on CUDA), onnx, onnx-int8, torch, torch-amp.
CLIPCAT_FRAME_BACKEND = env_str("CLIPCAT_FRAME_BACKEND", "auto")
CLIPCAT_TEXT_ENCODER = env_str("CLIPCAT_TEXT_ENCODER", "use-multilingual")
# Where training runs: auto picks CUDA when present.
CLIPCAT_TRAIN_DEVICE = env_str("CLIPCAT_TRAIN_DEVICE", "auto")
# Training arithmetic: auto (bf16 autocast on CUDA and on CPUs with fast bf16, else fp32), fp32 or bf16.
CLIPCAT_TRAIN_PRECISION = env_str("CLIPCAT_TRAIN_PRECISION", "auto")
CLIPCAT_MODEL_NAME = env_str("CLIPCAT_MODEL_NAME", "nextvlad_moe_small")
CLIPCAT_TRAIN_EPOCHS = env_int("CLIPCAT_TRAIN_EPOCHS", 30)
# Epochs when a run starts from the active model (early stopping may end either sooner).
CLIPCAT_FINETUNE_EPOCHS = env_int("CLIPCAT_FINETUNE_EPOCHS", 10)
# Triggers within this many seconds coalesce into one run.
CLIPCAT_RETRAIN_WINDOW_S = env_int("CLIPCAT_RETRAIN_WINDOW_S", 60)
# A retrain starts after this many new final labels since the active model was trained.
CLIPCAT_RETRAIN_EVERY_LABELS = env_int("CLIPCAT_RETRAIN_EVERY_LABELS", 200)
# "auto": promote a new version when it is not worse than the active one on hit@1; "manual": a person approves.
CLIPCAT_PROMOTION = env_str("CLIPCAT_PROMOTION", "auto")
# A running training run whose heartbeat is older than this is taken as dead (its worker was killed).
CLIPCAT_RUN_STALE_S = env_int("CLIPCAT_RUN_STALE_S", 300)
CLIPCAT_PREDICT_BATCH = env_int("CLIPCAT_PREDICT_BATCH", 256)
# Evaluation: the final-labeled clips of a taxonomy are split once, per category, into train / validation /
# test in these proportions (a clip keeps its split for good). Validation stops training early and fits the
# calibration; only test clips are reported and decide promotion.
CLIPCAT_SPLIT_VALIDATION = float(env_str("CLIPCAT_SPLIT_VALIDATION", "0.2"))
CLIPCAT_SPLIT_TEST = float(env_str("CLIPCAT_SPLIT_TEST", "0.2"))
# Below this many test clips a metric is shown as "not yet meaningful" and promotion waits for a person.
CLIPCAT_MIN_TEST_CLIPS = env_int("CLIPCAT_MIN_TEST_CLIPS", 30)
# "None of these": the open-set score (max_prob, energy or prototype; bench/quality.py compares them) and the
# share of validation clips of known categories its threshold keeps.
CLIPCAT_OPEN_SET_METHOD = env_str("CLIPCAT_OPEN_SET_METHOD", "energy")
CLIPCAT_OPEN_SET_KEEP = float(env_str("CLIPCAT_OPEN_SET_KEEP", "0.95"))
# The labeling page pre-selects a suggestion from the confidence at which validation clips were right this often.
CLIPCAT_PRESELECT_PRECISION = float(env_str("CLIPCAT_PRESELECT_PRECISION", "0.9"))
