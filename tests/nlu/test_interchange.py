import json
from pathlib import Path

import pytest
import yaml

from nlu.interchange import (
    CSV_COLUMNS,
    USERDICT,
    export_rasa_project,
    export_rows,
    read_csv,
    read_jsonl,
    write_csv,
    write_jsonl,
    write_rasa_yaml,
)
from nlu.training_data import TEST_DIR, TRAIN_DIR, EntitySpan, Example, load_dir, load_file

BOM = b"\xef\xbb\xbf"


def grouped(examples: list[Example]) -> list[Example]:
    """Examples ordered by intent (in order of first appearance), stable within an intent."""
    order = {intent: i for i, intent in enumerate(dict.fromkeys(e.intent for e in examples))}
    return sorted(examples, key=lambda e: order[e.intent])


@pytest.fixture(scope="module")
def train() -> list[Example]:
    examples = load_dir(TRAIN_DIR)
    # The round trips below are only meaningful if the data has entities to lose.
    assert sum(len(e.entities) for e in examples) > 200
    return examples


def test_yaml_round_trip_keeps_every_example_and_span(train: list[Example], tmp_path: Path) -> None:
    # Rasa YAML groups examples by intent: the same examples, in intent-grouped order.
    assert load_file(write_rasa_yaml(train, tmp_path / "train.yml")) == grouped(train)
    test = load_dir(TEST_DIR)
    assert load_file(write_rasa_yaml(test, tmp_path / "test.yml")) == grouped(test)


def test_yaml_is_rasa_3_1_grouped_by_intent_in_first_appearance_order(tmp_path: Path) -> None:
    examples = [
        Example("井盖没了", "hazard"),
        Example("想约明晚七点上门", "appointment", (EntitySpan("time", 2, 6, "明晚七点"),)),
        Example("电线打火", "hazard"),
    ]
    path = write_rasa_yaml(examples, tmp_path / "nlu.yml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith('version: "3.1"\nnlu:\n- intent: hazard\n  examples: |\n')
    assert "    - 想约[明晚七点](time)上门\n" in text
    document = yaml.safe_load(text)
    assert [item["intent"] for item in document["nlu"]] == ["hazard", "appointment"]
    assert document["nlu"][0]["examples"] == "- 井盖没了\n- 电线打火\n"
    assert load_file(path) == [examples[0], examples[2], examples[1]]


def test_yaml_carries_texts_that_look_like_yaml(tmp_path: Path) -> None:
    # Inside a literal block none of these needs escaping; the intents do need quoting.
    examples = [
        Example("- 开头是横线", "yes"),
        Example("# 不是注释", "null"),
        Example("key: value \"引号\" '单引号' | > & * ! % @ `", "hazard"),
        Example("a[b 和 c]d，{大括号}", "hazard"),
        Example("制表符\t在中间", "3.1"),
        Example("---", "hazard"),
        Example("我叫[张三]", "hazard"),  # brackets without (entity) are just text
    ]
    loaded = load_file(write_rasa_yaml(examples, tmp_path / "nlu.yml"))
    # Grouped by intent: the "3.1" example moves after the other hazard ones.
    assert loaded == [examples[i] for i in (0, 1, 2, 3, 5, 6, 4)]


@pytest.mark.parametrize(
    ("example", "message"),
    [
        (Example("两行\n文字", "hazard"), "example 1: text contains a line break"),
        (Example(" 前面有空格", "hazard"), "example 1: text starts or ends with whitespace"),
        (Example("井盖没了", ""), "example 1: intent is empty"),
        (Example("控制\x07字符", "hazard"), "U\\+0007"),
        (Example("字面的[x](y)标记", "hazard"), "cannot be written in Rasa's inline markup"),
        (
            Example("明晚七点", "appointment", (EntitySpan("time", 0, 4, "明晚"),)),
            "value '明晚' does not match the text",
        ),
    ],
)
def test_yaml_refuses_what_rasa_would_read_differently(
    example: Example, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=message):
        write_rasa_yaml([example], tmp_path / "nlu.yml")


def test_csv_round_trip(train: list[Example], tmp_path: Path) -> None:
    path = write_csv(export_rows(train), tmp_path / "train.csv")
    assert read_csv(path) == train


def test_jsonl_round_trip(train: list[Example], tmp_path: Path) -> None:
    path = write_jsonl(export_rows(train), tmp_path / "train.jsonl")
    assert read_jsonl(path) == train
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert first == export_rows(train[:1])[0]
    assert "\\u" not in path.read_text(encoding="utf-8")  # Chinese stays readable


def test_csv_is_excel_friendly(tmp_path: Path) -> None:
    example = Example(
        "想约明晚七点上门，电话13812345678",
        "appointment",
        (EntitySpan("time", 2, 6, "明晚七点"), EntitySpan("phone", 11, 22, "13812345678")),
    )
    raw = write_csv(export_rows([example]), tmp_path / "a.csv").read_bytes()
    assert raw.startswith(BOM)  # without it Excel reads UTF-8 as GBK
    assert raw[len(BOM) :].decode("utf-8").split("\r\n") == [
        ",".join(CSV_COLUMNS),
        "想约明晚七点上门，电话13812345678,appointment,"
        "想约[明晚七点](time)上门，电话[13812345678](phone)",
        "",
    ]


def test_csv_as_a_labeller_leaves_it(tmp_path: Path) -> None:
    # No BOM (saved by another tool), spaces around cells, a blank row, a new row with
    # text only, one with annotated only, columns in another order and capitalised.
    path = tmp_path / "edited.csv"
    path.write_text(
        "Intent,Text,Annotated\n"
        "appointment ,想约明晚七点上门 , 想约[明晚七点](time)上门\n"
        ",,\n"
        "hazard,井盖没了,\n"
        "dispute,,楼上[老王](person)半夜装修\n",
        encoding="utf-8",
    )
    assert read_csv(path) == [
        Example("想约明晚七点上门", "appointment", (EntitySpan("time", 2, 6, "明晚七点"),)),
        Example("井盖没了", "hazard"),
        Example("楼上老王半夜装修", "dispute", (EntitySpan("person", 2, 4, "老王"),)),
    ]


def test_csv_saved_as_gbk_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("text,intent,annotated\n井盖没了,hazard,\n".encode("gbk"))
    with pytest.raises(ValueError, match="CSV UTF-8"):
        read_csv(path)


HEADER = "text,intent,annotated\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HEADER + "井盖没了,hazard,\n电线打火,,\n", "row 3: intent is empty"),
        # a blank row still counts, as in the spreadsheet
        (HEADER + "井盖没了,hazard,\n,,\n电线打火, ,\n", "row 4: intent is empty"),
        ("text,intent,note\n井盖没了,hazard,x\n", "row 1: unknown column\\(s\\) 'note'"),
        ("text,annotated\n井盖没了,\n", "row 1: the header needs an intent column"),
        ("text,intent,text\n井盖没了,hazard,x\n", "row 1: column\\(s\\) 'text' appear twice"),
        (HEADER + "井盖没了,hazard,,多出来的\n", "row 2: a value in column 4"),
        (
            HEADER + "想约明晚七点上门,appointment,想约[明晚七点]（time）上门\n",
            "row 2: annotated without its markup .* does not match text",
        ),
        (
            HEADER + "想约明晚七点上门,appointment,想约[明天七点](time)上门\n",
            "row 2: annotated without its markup",
        ),
        (HEADER + ",appointment,想约[明晚七点(time)上门\n", "row 2: unbalanced"),
        (HEADER + '"两行\n文字",hazard,\n', "row 2: text contains a line break"),
        (HEADER + ",hazard,\n", "row 2: text is empty"),
        (HEADER + "井盖没了,hazard gas,\n", "row 2: intent 'hazard gas' contains whitespace"),
        ("", "empty file"),
    ],
)
def test_csv_errors_name_the_row(content: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8-sig")
    with pytest.raises(ValueError, match=message):
        read_csv(path)


def row(**fields: object) -> str:
    base: dict[str, object] = {"text": "想约明晚七点上门", "intent": "appointment"}
    return json.dumps(base | fields, ensure_ascii=False)


def time_entity(**fields: object) -> dict[str, object]:
    return {"entity": "time", "start": 2, "end": 6, "value": "明晚七点"} | fields


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (row(intent=""), "row 2: intent is empty"),
        (row(intent=None), "row 2: intent must be a string"),
        (row(label="x"), "row 2: unknown column\\(s\\) 'label'"),
        ("{not json", "row 2: not valid JSON"),
        ("[1, 2]", "row 2: expected an object"),
        (row(entities=[time_entity(value="明天七点")]), "row 2: entity 'time' value '明天七点' "),
        (row(entities=[time_entity(start=5, end=12)]), "row 2: .* out of range .* 8 characters"),
        (row(entities=[time_entity(start=-1)]), "row 2: .* out of range"),
        (row(entities=[time_entity(start=4, end=4)]), "row 2: .* out of range"),
        (row(entities=[time_entity(start="2")]), "row 2: entity 'time' start must be an integer"),
        (row(entities=[time_entity(end=True)]), "row 2: entity 'time' end must be an integer"),
        (row(entities=[time_entity(role="x")]), "row 2: unknown entity field\\(s\\) 'role'"),
        (
            row(entities=[time_entity(), {"entity": "x", "start": 4, "end": 8}]),
            "row 2: entities 'time' \\(2..6\\) and 'x' \\(4..8\\) overlap",
        ),
        (row(entities=[time_entity(entity="ti me")]), "row 2: entity name 'ti me'"),
        (row(text=" 想约明晚七点上门"), "row 2: text starts or ends with whitespace"),
        (row(text="看[这里](link)"), "row 2: .* cannot be written in Rasa's inline markup"),
    ],
)
def test_jsonl_errors_name_the_row(line: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    # Line 1 is a good row, so the bad one is row 2.
    path.write_text(row() + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_jsonl(path)


def test_jsonl_value_may_be_omitted_and_blank_lines_count(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        "\n" + row(entities=[{"entity": "time", "start": 2, "end": 6}]) + "\n\n" + row(intent="")
    )
    with pytest.raises(ValueError, match="row 4: intent is empty"):
        read_jsonl(path)
    path.write_text(row(entities=[{"entity": "time", "start": 2, "end": 6}]) + "\n")
    assert read_jsonl(path)[0].entities == (EntitySpan("time", 2, 6, "明晚七点"),)


def test_writers_check_rows_too(tmp_path: Path) -> None:
    rows = export_rows([Example("井盖没了", "hazard"), Example("电线打火", "hazard")])
    rows[1]["entities"] = [{"entity": "x", "start": 0, "end": 9, "value": "电线打火"}]
    with pytest.raises(ValueError, match=r"row 2: entity 'x' offsets 0\.\.9 are out of range"):
        write_csv(rows, tmp_path / "a.csv")
    with pytest.raises(ValueError, match="row 2"):
        write_jsonl(rows, tmp_path / "a.jsonl")


def test_export_rasa_project(train: list[Example], tmp_path: Path) -> None:
    out = export_rasa_project(train, tmp_path / "project")
    intents = list(dict.fromkeys(e.intent for e in train))

    assert load_file(out / "data" / "nlu.yml") == grouped(train)

    config = yaml.safe_load((out / "config.yml").read_text(encoding="utf-8"))
    assert config["recipe"] == "default.v1"
    assert config["assistant_id"] == "gridline"
    assert config["language"] == "zh"
    components = config["pipeline"]
    assert [c["name"] for c in components] == [
        "JiebaTokenizer",
        "RegexFeaturizer",
        "LexicalSyntacticFeaturizer",
        "CountVectorsFeaturizer",
        "CountVectorsFeaturizer",
        "DIETClassifier",
        "EntitySynonymMapper",
        "FallbackClassifier",
    ]
    assert components[3]["analyzer"] == "word"
    assert (components[4]["analyzer"], components[4]["min_ngram"]) == ("char_wb", 1)
    assert components[4]["max_ngram"] == 3
    assert components[5]["epochs"] == 100
    assert (components[7]["threshold"], components[7]["ambiguity_threshold"]) == (0.3, 0.1)
    # Rasa's JiebaTokenizer loads every file in this directory, relative to the project.
    dictionaries = list((out / components[0]["dictionary_path"]).iterdir())
    assert [p.name for p in dictionaries] == ["userdict.txt"]
    assert dictionaries[0].read_bytes() == USERDICT.read_bytes()

    domain = yaml.safe_load((out / "domain.yml").read_text(encoding="utf-8"))
    assert domain["version"] == "3.1"
    assert domain["intents"] == intents
    assert domain["entities"][:4] == ["time", "phone", "address", "person"]
    assert {s.entity for e in train for s in e.entities} <= set(domain["entities"])


def test_export_rasa_project_needs_examples(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no training examples"):
        export_rasa_project([], tmp_path / "project")
