"""`gridline nlu test`: how the active model does on the held-out split."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nlu.intent_model import IntentModel
from nlu.training_data import Example


@dataclass(frozen=True)
class IntentScores:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class TestReport:
    version: str
    labels: list[str]
    scores: list[IntentScores]
    matrix: list[list[int]]  # rows: true intent, columns: predicted intent
    errors: list[dict[str, object]]
    accuracy: float
    macro_f1: float

    def as_text(self) -> str:
        lines = [
            f"model {self.version}: accuracy {self.accuracy:.4f}, macro-F1 {self.macro_f1:.4f}",
            "",
            f"{'intent':<15}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}",
        ]
        for s in self.scores:
            lines.append(
                f"{s.intent:<15}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>10.3f}{s.support:>9}"
            )
        width = max(len(label) for label in self.labels) + 1
        short = [label[:6] for label in self.labels]
        lines += [
            "",
            "confusion matrix (rows: true, columns: predicted)",
            " " * width + "".join(f"{s:>7}" for s in short),
        ]
        for label, row in zip(self.labels, self.matrix, strict=True):
            lines.append(f"{label:<{width}}" + "".join(f"{n:>7}" for n in row))
        lines += ["", f"errors ({len(self.errors)}):"]
        lines += [
            f"  [{e['intent']} → {e['predicted']} {e['confidence']:.2f}] {e['text']}"
            for e in self.errors
        ]
        return "\n".join(lines)

    def as_html(self) -> str:
        peak = max((n for row in self.matrix for n in row), default=1) or 1
        head = "".join(f"<th>{html.escape(label)}</th>" for label in self.labels)
        rows = []
        for i, (label, row) in enumerate(zip(self.labels, self.matrix, strict=True)):
            # Diagonal cells blue, confusions red; the darker, the more messages.
            cells = "".join(
                f'<td style="background: rgba({"40,120,200" if i == j else "220,60,60"},'
                f'{0.08 + 0.9 * n / peak:.2f})">{n}</td>'
                for j, n in enumerate(row)
            )
            rows.append(f"<tr><th>{html.escape(label)}</th>{cells}</tr>")
        scores = "".join(
            f"<tr><td>{s.intent}</td><td>{s.precision:.3f}</td><td>{s.recall:.3f}</td>"
            f"<td>{s.f1:.3f}</td><td>{s.support}</td></tr>"
            for s in self.scores
        )
        errors = "".join(
            f"<tr><td>{html.escape(str(e['intent']))}</td><td>{html.escape(str(e['predicted']))}"
            f"</td><td>{e['confidence']:.2f}</td><td>{html.escape(str(e['text']))}</td></tr>"
            for e in self.errors
        )
        return (
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
            f"<title>Gridline NLU {self.version}</title>"
            "<style>body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:4px 8px;"
            "text-align:right}table{border-collapse:collapse;margin:1em 0}</style>"
            f"<h1>Model {html.escape(self.version)}</h1>"
            f"<p>accuracy {self.accuracy:.4f}, macro-F1 {self.macro_f1:.4f}</p>"
            "<h2>Per intent</h2><table><tr><th>intent</th><th>precision</th><th>recall</th>"
            f"<th>F1</th><th>support</th></tr>{scores}</table>"
            "<h2>Confusion matrix</h2><p>rows: true intent; columns: predicted</p>"
            f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"
            "<h2>Errors</h2><table><tr><th>true</th><th>predicted</th><th>confidence</th>"
            f"<th>text</th></tr>{errors}</table></html>"
        )


def evaluate_split(model: IntentModel, examples: Sequence[Example]) -> TestReport:
    labels = sorted({e.intent for e in examples} | set(model.classes))
    position = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    errors: list[dict[str, object]] = []
    for example in examples:
        predicted, confidence = model.rank(example.text)[0]
        matrix[position[example.intent]][position[predicted]] += 1
        if predicted != example.intent:
            errors.append(
                {
                    "text": example.text,
                    "intent": example.intent,
                    "predicted": predicted,
                    "confidence": round(confidence, 4),
                }
            )
    scores = []
    for label, i in position.items():
        true_positive = matrix[i][i]
        predicted_total = sum(row[i] for row in matrix)
        actual_total = sum(matrix[i])
        precision = true_positive / predicted_total if predicted_total else 0.0
        recall = true_positive / actual_total if actual_total else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(IntentScores(label, precision, recall, f1, actual_total))
    present = [s for s in scores if s.support]
    correct = sum(matrix[i][i] for i in range(len(labels)))
    return TestReport(
        version=model.version,
        labels=labels,
        scores=scores,
        matrix=matrix,
        errors=errors,
        accuracy=correct / max(1, len(examples)),
        macro_f1=sum(s.f1 for s in present) / max(1, len(present)),
    )


def write_report(report: TestReport, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / "report.txt", directory / "report.html", directory / "errors.jsonl"]
    written[0].write_text(report.as_text() + "\n", encoding="utf-8")
    written[1].write_text(report.as_html(), encoding="utf-8")
    written[2].write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in report.errors), encoding="utf-8"
    )
    return written
