from collections import Counter
from pathlib import Path

from nlu.intents import ALL_INTENTS, TICKET_INTENTS
from nlu.normalise import normalise
from nlu.training_data import TEST_DIR, TRAIN_DIR, EntitySpan, load_dir, load_file, parse_annotated


def test_annotations_are_stripped_with_offsets() -> None:
    text, spans = parse_annotated("想约[明晚七点](time)上门，电话[13812345678](phone)")
    assert text == "想约明晚七点上门，电话13812345678"
    assert spans == (
        EntitySpan("time", 2, 6, "明晚七点"),
        EntitySpan("phone", 11, 22, "13812345678"),
    )
    assert text[spans[1].start : spans[1].end] == "13812345678"


def test_rasa_file_with_synonyms_and_regex(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: hazard\n  examples: |\n'
        "    - 井盖没了\n    - 电线[打火](x)\n"
        "- synonym: 电瓶车\n  examples: |\n    - 电动车\n- regex: phone\n  examples: |\n"
        "    - 1[3-9]\\d{9}\n",
        encoding="utf-8",
    )
    examples = load_file(path)
    assert [(e.text, e.intent) for e in examples] == [
        ("井盖没了", "hazard"),
        ("电线打火", "hazard"),
    ]


def test_repo_data_covers_every_intent_and_splits_do_not_overlap() -> None:
    train, test = load_dir(TRAIN_DIR), load_dir(TEST_DIR)
    counts = Counter(e.intent for e in train)
    assert set(counts) == set(ALL_INTENTS)
    assert all(counts[intent] >= 200 for intent in TICKET_INTENTS)
    assert set(e.intent for e in test) == set(ALL_INTENTS)
    assert not {normalise(e.text) for e in train} & {normalise(e.text) for e in test}


def test_normalise_folds_width_script_and_emoji() -> None:
    assert normalise("樓道裡有電瓶車　ＡＢＣ１２３🙏") == "楼道里有电瓶车 abc123"
