"""Rewrite expected.yaml from what the importer reads today. Review the diff by hand before keeping it:
the expected profiles are the specification, checked against the descriptors, not a snapshot.

    python tests/data/descriptors/regenerate.py
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from advisor.importers import import_profiles

HERE = Path(__file__).resolve().parent
CASES = [
    "compose/shop/docker-compose.yml", "compose/extends/docker-compose.yml", "compose/broken/docker-compose.yaml",
    "k8s/app", "k8s/operator.yaml", "k8s/train-list.json", "k8s/helm", "k8s/windows-rollout.yaml",
    "ecs/web-taskdef.json", "ecs/describe-gpu-taskdef.json", "ecs/pos-sync-taskdef.yaml", "ecs/broken-taskdef.json",
    "cfn/sam-orders.yaml", "cfn/sam-image.yaml", "cfn/ecs-platform.yaml", "cfn/lambda-functions.json",
]
HEADER = """\
# Expected profiles for every descriptor of the corpus, reviewed by hand against the files.
# Paths are relative to this folder. Per profile: file (where its name comes from); fields: the
# derived profile fields (name and description aside), exactly; provenance: the path inside the
# document of each field (with its file when another file); notes: the notes in the description.
# problems: every problem reported, exactly. Regenerate with regenerate.py and review the diff.
"""


def main() -> None:
    os.chdir(HERE)
    cases = []
    for case in CASES:
        result = import_profiles(Path(case))
        profiles = {}
        for profile in result.profiles:
            home = profile.provenance["name"].file
            entry = {
                "file": home,
                "source_kind": profile.source_kind,
                "fields": {k: v for k, v in profile.data.items() if k not in ("name", "description")},
                "provenance": {k: v.path if v.file == home else {"file": v.file, "path": v.path}
                               for k, v in profile.provenance.items() if k not in ("name", "description")},
            }
            description = profile.data["description"]
            if " Notes: " in description:
                entry["notes"] = description.split(" Notes: ", 1)[1].removesuffix(".").split("; ")
            profiles[profile.name] = entry
        cases.append({"descriptor": case, "profiles": profiles, "problems": list(result.problems)})
    text = yaml.safe_dump(cases, sort_keys=False, width=200, allow_unicode=True)
    (HERE / "expected.yaml").write_text(HEADER + text, encoding="utf-8")


if __name__ == "__main__":
    main()
