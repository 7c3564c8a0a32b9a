#!/usr/bin/env python3
"""Validate held-out gold files: an ideal extraction built from each gold file must score 1.0
with the acceptance scorer, and the values the gold checks must be visible in the document."""
from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import re
import sys

SCORER = pathlib.Path(os.environ.get("CHECK_EXTRACTION", "/work/shared/acceptance/check_extraction.py"))
spec = importlib.util.spec_from_file_location("check_extraction", SCORER)
ce = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ce)

HERE = pathlib.Path(__file__).resolve().parent


def ideal(gold: dict) -> dict:
    studies = []
    for i, g in enumerate(gold["studies"]):
        c = g.get("checks", {})
        iv = {"name": g["drug"][0]}
        if "dose_contains" in c:
            iv["dose"] = c["dose_contains"]
        if "frequency_contains" in c:
            iv["frequency"] = c["frequency_contains"]
        dis = {"name": g["disease"][0]}
        if "variant_contains" in c:
            dis["variant"] = c["variant_contains"]
        s = {"id": f"s{i+1}", "interventions": [iv], "diseases": [dis],
             "comparators": [{"name": c["comparator"]}] if "comparator" in c else [],
             "design": c["design_in"][0] if "design_in" in c else None,
             "phase": c.get("phase"), "n": c.get("n"), "duration": c.get("duration"),
             "registry_ids": [c["registry"]] if "registry" in c else [],
             "outcomes": [{"measure": o["measure_any"][0], **{k: o[k] for k in ("value", "comparator_value", "baseline_value") if k in o}}
                          for o in c.get("outcome", [])],
             "adverse_events": [{"term": "any", "value": c["ae_value"]}] if "ae_value" in c else [],
             "evidence_level": c.get("evidence_level")}
        studies.append(s)
    mentions = [{"label": m["label"], "text": m["text_any"][0]} for m in gold.get("mentions", [])]
    return {"studies": studies, "mentions": mentions}


ONES = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def in_words(k: int) -> str:
    if k < 20:
        return ONES[k]
    return TENS[k // 10] + ("-" + ONES[k % 10] if k % 10 else "")


def num_in_text(x: float, text: str) -> bool:
    x = abs(float(x))
    cands = {f"{x:g}", f"{x:.1f}", f"{x:.2f}", f"{int(x):,}" if x == int(x) else f"{x:g}"}
    if x == int(x) and 0 < x < 100:
        cands.add(in_words(int(x)))
    t = text.lower()
    return any(re.search(r"(?<![\d.])" + re.escape(c.lower()) + r"(?![\d])", t) for c in cands)


def textual_checks(gold: dict, text: str) -> list[str]:
    problems = []
    low = text.lower()
    for g in gold["studies"]:
        if not any(d.lower() in low for d in g["drug"] if d != "jak inhibitor") and "jak inhibit" not in low:
            problems.append(f"{g['label']}: no drug name in text")
        c = g.get("checks", {})
        if "registry" in c and c["registry"] not in text:
            problems.append(f"{g['label']}: registry {c['registry']} not in text")
        if "n" in c and not num_in_text(c["n"], text):
            problems.append(f"{g['label']}: n {c['n']} not in text")
        for o in c.get("outcome", []):
            for k in ("value", "comparator_value", "baseline_value"):
                if k in o and not num_in_text(o[k], text):
                    problems.append(f"{g['label']}: outcome {k} {o[k]} not in text")
        if "ae_value" in c and not num_in_text(c["ae_value"], text):
            problems.append(f"{g['label']}: ae_value {c['ae_value']} not in text")
    for m in gold.get("mentions", []):
        if not any(t in text for t in m["text_any"]):
            problems.append(f"mention {m['text_any'][0]} not in text")
    return problems


def body_words(text: str) -> int:
    return len(text.split("\n-\n")[0].split())


def main() -> int:
    bad = 0
    for gp in sorted((HERE / "gold").glob("*.json")):
        gold = json.loads(gp.read_text())
        doc = (gp.parent / gold["document"]).resolve()
        text = doc.read_text()
        r, p = ce.score(ideal(gold), gold, verbose=False)
        probs = textual_checks(gold, text)
        ok = r == 1.0 and p == 1.0 and not probs
        bad += not ok
        print(f"{'OK ' if ok else 'BAD'} {gp.name}: recall {r:.3f} precision {p:.3f}; "
              f"{len(gold['studies'])} studies, body {body_words(text)} words")
        for pr in probs:
            print("    ", pr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
