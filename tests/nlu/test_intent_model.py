from pathlib import Path

import numpy as np

from nlu.fitting import fit_sklearn
from nlu.intent_model import IntentModel, load
from nlu.parse import EmbeddedParser
from nlu.training import evaluate, from_sklearn
from nlu.training_data import TEST_DIR, TRAIN_DIR, load_dir


def test_held_out_accuracy_floor(trained_model: IntentModel) -> None:
    # A floor that catches a broken pipeline; the measured figure lives in docs/benchmarks.md.
    metrics = evaluate(trained_model, load_dir(TEST_DIR))
    assert metrics["accuracy"] >= 0.9 and metrics["macro_f1"] >= 0.9


async def test_typical_requests(trained_model: IntentModel) -> None:
    parser = EmbeddedParser(trained_model)
    assert (await parser.parse("幸福小区3栋楼道里有人给电瓶车充电，很危险")).intent == "hazard"
    assert (await parser.parse("楼上天天半夜装修，吵得睡不着，说了也不听")).intent == "dispute"
    assert (await parser.parse("我爸80多岁了，高龄津贴怎么申请")).intent == "welfare"
    assert (await parser.parse("我白天上班，明晚七点能来我家办一下吗")).intent == "appointment"
    assert (await parser.parse("我上次反映的事情怎么样了")).intent == "ticket_status"


def test_numpy_serving_matches_scikit_learn() -> None:
    train = load_dir(TRAIN_DIR)[::3]  # a third of the data keeps this quick
    pipeline = fit_sklearn(train)
    model = from_sklearn(pipeline, "t", {})
    texts = [e.text for e in load_dir(TEST_DIR)[:60]] + ["", "🙏", "abc"]
    expected = pipeline.predict_proba(texts)
    ours = np.array([model.probabilities(t) for t in texts])
    assert model.classes == [str(c) for c in pipeline.classes_]
    np.testing.assert_allclose(ours, expected, atol=1e-9)


def test_saved_model_loads_and_agrees(trained_model: IntentModel, tmp_path: Path) -> None:
    trained_model.save(tmp_path / "m")
    loaded = load(tmp_path / "m")
    text = "井盖被人偷了，晚上很危险"
    assert loaded.rank(text) == trained_model.rank(text)
    assert loaded.version == trained_model.version
