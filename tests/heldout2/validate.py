#!/usr/bin/env python3
"""Validate the held-out gold files.

1. An "ideal" extraction built from each gold file must score 1.0 recall and 1.0 precision
   with score() from shared/acceptance/check_extraction.py.
2. Every number, registry id and term that a gold check relies on must occur in the document.
3. Every study's drug and disease (some alternative) and every mention must occur in the text.
"""
import importlib.util
import json
import pathlib
import re
import sys
import unicodedata

SCORER = pathlib.Path(__file__).resolve().parents[3] / "shared" / "acceptance" / "check_extraction.py"
spec = importlib.util.spec_from_file_location("check_extraction", SCORER)
ce = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ce)

WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
         9: "nine", 10: "ten", 12: "twelve", 88: "eighty-eight"}
FREQ = {"once daily": ["once daily", "qd", "once-daily"], "twice daily": ["twice daily", "twice-daily", "b.i.d.", "bid"]}


def ideal(gold):
    studies = []
    for i, g in enumerate(gold["studies"]):
        c = g.get("checks", {})
        s = {"id": f"s{i+1}",
             "interventions": [{"name": g["drug"][0], "dose": c.get("dose_contains"), "frequency": c.get("frequency_contains")}],
             "diseases": [{"name": g["disease"][0], "variant": c.get("variant_contains")}],
             "comparators": [{"name": c["comparator"]}] if "comparator" in c else [],
             "design": (c.get("design_in") or [None])[0], "phase": c.get("phase"), "n": c.get("n"),
             "duration": c.get("duration"), "registry_ids": [c["registry"]] if "registry" in c else [],
             "outcomes": [{"measure": w["measure_any"][0], **{k: w[k] for k in ("value", "comparator_value", "baseline_value") if k in w}}
                          for w in c.get("outcome", [])],
             "adverse_events": [{"term": "any", "value": c["ae_value"]}] if "ae_value" in c else [],
             "evidence_level": c.get("evidence_level")}
        studies.append(s)
    return {"studies": studies, "mentions": [{"label": m["label"], "text": m["text_any"][0]} for m in gold.get("mentions", [])]}


def num_forms(v):
    v = float(v)
    forms = set()
    if v == int(v):
        forms |= {str(int(abs(v)))}
        if int(abs(v)) in WORDS:
            forms.add(WORDS[int(abs(v))])
    forms |= {f"{abs(v):.1f}", f"{abs(v):.2f}".rstrip("0").rstrip("."), repr(abs(v))}
    return forms


def has_number(text, v):
    for f in num_forms(v):
        if re.search(r"(?<![\d.])" + re.escape(f) + r"(?![\d])", text, flags=re.I):
            return True
    return False


def flat(s):
    return unicodedata.normalize("NFKC", s).lower()


def main():
    root = pathlib.Path(__file__).resolve().parent
    bad = 0
    for gp in sorted((root / "gold").glob("*.json")):
        gold = json.loads(gp.read_text())
        dp = (gp.parent / gold["document"]).resolve()
        text = dp.read_text()
        body = text.split("\nCopyright ©")[0]
        ft = flat(body)
        problems = []
        rec, prec = ce.score(ideal(gold), gold, verbose=False)
        if (rec, prec) != (1.0, 1.0):
            problems.append(f"ideal extraction scores {rec:.3f}/{prec:.3f}")
        for g in gold["studies"]:
            c = g.get("checks", {})
            lab = g["label"]
            if not any(flat(d) in ft for d in g["drug"]):
                problems.append(f"{lab}: no drug name in text")
            if not any(flat(d) in ft or flat(d).replace("-", " ") in ft for d in g["disease"]):
                problems.append(f"{lab}: no disease name in text")
            if "registry" in c and c["registry"] not in body:
                problems.append(f"{lab}: registry {c['registry']} not in text")
            for k in ("n",):
                if k in c and not has_number(body, c[k]):
                    problems.append(f"{lab}: {k}={c[k]} not in text")
            if "duration" in c and not has_number(body, c["duration"]["value"]):
                problems.append(f"{lab}: duration {c['duration']} not in text")
            if "phase" in c and f"phase {c['phase']}" not in flat(body):
                problems.append(f"{lab}: phase {c['phase']} not in text")
            if "ae_value" in c and not has_number(body, c["ae_value"]):
                problems.append(f"{lab}: ae {c['ae_value']} not in text")
            if "dose_contains" in c and c["dose_contains"].lower() not in ft:
                problems.append(f"{lab}: dose {c['dose_contains']} not in text")
            if "frequency_contains" in c and not any(f in ft for f in FREQ[c["frequency_contains"]]):
                problems.append(f"{lab}: frequency {c['frequency_contains']} not in text")
            if "comparator" in c and c["comparator"].lower() not in ft:
                problems.append(f"{lab}: comparator {c['comparator']} not in text")
            if "variant_contains" in c and c["variant_contains"].lower() not in ft.replace("-", ""):
                problems.append(f"{lab}: variant {c['variant_contains']} not in text")
            for w in c.get("outcome", []):
                if not any(flat(m) in ft for m in w["measure_any"]):
                    problems.append(f"{lab}: no outcome measure term {w['measure_any']} in text")
                for k in ("value", "comparator_value", "baseline_value"):
                    if k in w and not has_number(body, w[k]):
                        problems.append(f"{lab}: outcome {k}={w[k]} not in text")
        for m in gold.get("mentions", []):
            if not any(t in body for t in m["text_any"]):
                problems.append(f"mention {m['label']} {m['text_any'][0]} not in text")
        ncts = set(re.findall(r"NCT\d{8}", body))
        golds = {m["text_any"][0] for m in gold.get("mentions", []) if m["label"] == "REGISTRY_ID"}
        if ncts - golds:
            problems.append(f"registry ids in text without a mention: {sorted(ncts - golds)}")
        print(f"{gp.name}: recall {rec:.3f} precision {prec:.3f}  studies {len(gold['studies'])}  "
              + ("OK" if not problems else "PROBLEMS"))
        for p in problems:
            print("   -", p)
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
