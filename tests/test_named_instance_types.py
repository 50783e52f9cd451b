"""Class 9 of issue 14: an instance-type placement constraint sizes and prices the EC2 capacity.

An ECS placement constraint on `attribute:ecs.instance-type`, or a Kubernetes node selector or required
node affinity on `node.kubernetes.io/instance-type`, names the EC2 instance types a task may run on. The
importers put the names in the profile (`instance_types`), and ECS on EC2 and EKS are priced on the
cheapest named type that fits one task (models/prices.yaml `price.ec2.named_instances`), with a caution
when none fits and when a name is not in the advisor's catalogue.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor import api
from advisor.errors import ProfileError
from advisor.importers import import_profiles
from advisor.knowledge.base import knowledge
from advisor.knowledge.prices import price_book
from advisor.profile.fields import build_profile
from advisor.profile.frame import records_to_frame

INFERENCE_TASKDEF = """{
  "family": "ecs-inference-task-def",
  "requiresCompatibilities": ["EC2"],
  "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.instance-type %s"}],
  "containerDefinitions": [{"name": "bert", "image": "example/bert-neuron", "memory": 4096, "cpu": 2048}]
}"""

GPU_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: llm-server}
spec:
  replicas: 1
  selector: {matchLabels: {app: llm-server}}
  template:
    metadata: {labels: {app: llm-server}}
    spec:
      nodeSelector:
        node.kubernetes.io/instance-type: g5.2xlarge
      containers:
        - name: server
          image: example/llm-server:1
          resources:
            limits: {cpu: "4", memory: 16Gi, nvidia.com/gpu: 1}
"""

# The numbers the hand-worked figures assume, pinned so that a change of defaults cannot move them.
SERVICE = {"workload_type": "ml_inference", "requests_per_month": 1_000_000, "avg_duration_ms": 200,
           "peak_concurrency": 10, "traffic_pattern": "diurnal", "interruptible": False, "region": "us-east-1"}


def _runtime(profile, runtime: str):  # type: ignore[no-untyped-def]
    return next(r for r in api.recommend(profile).ranking if r.runtime == runtime)


def _imported(tmp_path: Path, name: str, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    data = dict(import_profiles(path).profiles[0].data)
    data.update(SERVICE)
    return build_profile(data)


def test_an_inf1_placement_constraint_prices_ecs_on_ec2_on_inf1_xlarge(tmp_path: Path) -> None:
    """A 2 vCPU / 4 GiB BERT task placed with `attribute:ecs.instance-type == inf1.xlarge`.

    inf1.xlarge has 4 vCPU and 8 GiB; less the 10% ECS node reserve, one task fits (3.6 / 2, 7.2 / 4).
    An ml_inference service at 1M requests of 200 ms, peak 10, diurnal, keeps 2.5 tasks (2 minimum; the
    peak capped at 4 x the average of 1, half-way: 1 + 0.5 x 3), so 3 instances.
    compute = 3 instances x $0.228 an hour (us-east-1 Linux on demand) x 730 hours = $499.32.
    The generic packer would have chosen a c7i.xlarge (3 x $0.1785 x 730 = $390.92).
    """
    profile = _imported(tmp_path, "inference-taskdef.json", INFERENCE_TASKDEF % "== inf1.xlarge")
    assert profile.instance_types == ("inf1.xlarge",) and profile.specific_instance_type
    assert knowledge().number("assume.hours_per_month") == 730
    ec2 = _runtime(profile, "ecs_ec2")
    assert ec2.sizing == "3 x inf1.xlarge"
    assert ec2.cost_breakdown["compute"] == pytest.approx(3 * 0.228 * 730, abs=0.01) == 499.32
    assert any("inf1.xlarge" in reason and "cheapest of them" in reason for reason in ec2.reasons)
    # Without the constraint the same task packs onto the general catalogue.
    plain = _runtime(profile.replace(instance_types=[], specific_instance_type=False), "ecs_ec2")
    assert plain.sizing == "3 x c7i.xlarge"
    assert plain.cost_breakdown["compute"] == pytest.approx(3 * 0.1785 * 730, abs=0.01)


def test_an_in_list_constraint_takes_the_cheapest_named_type_that_fits(tmp_path: Path) -> None:
    """`in [inf1.2xlarge, inf1.xlarge]`: both fit one task; inf1.xlarge ($0.228) is cheaper than
    inf1.2xlarge ($0.362), so 3 x $0.228 x 730 = $499.32 again."""
    profile = _imported(tmp_path, "inference-taskdef.json", INFERENCE_TASKDEF % "in [inf1.2xlarge, inf1.xlarge]")
    assert profile.instance_types == ("inf1.2xlarge", "inf1.xlarge")
    ec2 = _runtime(profile, "ecs_ec2")
    assert ec2.sizing == "3 x inf1.xlarge"
    assert ec2.cost_breakdown["compute"] == pytest.approx(499.32, abs=0.01)


def test_a_node_selector_for_g5_2xlarge_prices_eks_on_g5_2xlarge(tmp_path: Path) -> None:
    """A 4 vCPU / 16 GiB / 1 GPU server pinned with nodeSelector node.kubernetes.io/instance-type: g5.2xlarge.

    g5.2xlarge has 8 vCPU, 32 GiB and one A10G; less the 15% EKS node reserve one pod fits (6.8 / 4,
    27.2 / 16, 1 / 1). The service keeps 2.5 pods as above, so 3 nodes:
    compute = 3 x $1.212 x 730 = $2,654.28; the control plane adds $0.10 x 730 = $73.00.
    Unpinned, the 15% reserve leaves a g5.xlarge too small (3.4 vCPU), and the packer takes g5.12xlarge.
    """
    profile = _imported(tmp_path, "llm.yaml", GPU_DEPLOYMENT)
    assert profile.instance_types == ("g5.2xlarge",) and profile.gpu == 1
    eks = _runtime(profile, "eks")
    assert eks.sizing == "3 x g5.2xlarge"
    assert eks.cost_breakdown["compute"] == pytest.approx(3 * 1.212 * 730, abs=0.01) == 2654.28
    assert eks.cost_breakdown["control_plane"] == pytest.approx(73.0)
    assert "g5.12xlarge" in _runtime(profile.replace(instance_types=[]), "eks").sizing


def test_a_named_type_too_small_for_the_task_is_a_caution(tmp_path: Path) -> None:
    """An 8 vCPU task cannot fit on inf1.xlarge (4 vCPU): the caution says so and the general catalogue
    prices the capacity instead."""
    profile = _imported(tmp_path, "inference-taskdef.json", INFERENCE_TASKDEF % "== inf1.xlarge").replace(vcpu=8)
    for runtime in ("ecs_ec2", "eks"):
        result = _runtime(profile, runtime)
        assert "inf1.xlarge" not in result.sizing
        assert any("does not fit on the instance types it names (inf1.xlarge)" in c for c in result.cautions)
        assert result.monthly_cost_usd is not None


def test_an_unknown_instance_type_is_named_in_a_caution_not_priced_as_something_else() -> None:
    profile = build_profile({"name": "odd", "instance_types": "zz9.huge", **SERVICE})
    for runtime in ("ecs_ec2", "eks"):
        result = _runtime(profile, runtime)
        assert any("zz9.huge is not in the advisor's price catalogue" in c for c in result.cautions)
        assert not any("cheapest of them" in r for r in result.reasons)
    mixed = build_profile({"name": "odd", "instance_types": "zz9.huge;inf1.xlarge", **SERVICE})
    result = _runtime(mixed, "ecs_ec2")
    assert result.sizing.endswith(" x inf1.xlarge")
    assert any("zz9.huge is not in the advisor's price catalogue; priced on the other named types" in r
               for r in result.reasons)


def test_named_instance_types_block_fargate_and_lambda_like_specific_instance_type() -> None:
    """Naming the types implies specific_instance_type, which Fargate and Lambda cannot honour."""
    profile = build_profile({"name": "pinned", "instance_types": ["c5n.large"], **SERVICE})
    assert profile.specific_instance_type and "specific_instance_type" not in profile.assumed_defaults
    for runtime in ("ecs_fargate", "lambda"):
        result = _runtime(profile, runtime)
        assert not result.feasible
        assert "specific_instance_type" in [b.constraint for b in result.blockers]
    assert _runtime(profile, "ecs_ec2").feasible


def test_instance_types_parse_alike_from_yaml_lists_and_csv_cells() -> None:
    assert build_profile({"name": "a", "instance_types": ["G5.2xlarge", "g5.2xlarge", "m6i.large"]}).instance_types \
        == ("g5.2xlarge", "m6i.large")
    import pandas as pd

    frame, problems = records_to_frame(pd.DataFrame({"name": ["a", "b", "c"],
                                                     "instance_types": ["g5.2xlarge; m6i.large", "", "g5.*"]}))
    assert frame.loc[0, "instance_types"] == ("g5.2xlarge", "m6i.large")
    assert list(frame["specific_instance_type"]) == [True, False, False]
    assert problems[2][0].field == "instance_types"
    with pytest.raises(ProfileError, match="instance_types"):
        build_profile({"name": "a", "instance_types": "a large GPU box"})


def test_named_types_imply_a_specific_type_even_beside_an_explicit_false() -> None:
    """recommend (build_profile) and assess (records_to_frame) used to differ here: a profile naming
    inf1.xlarge with `specific_instance_type: false` kept false for one and became true for the other."""
    import pandas as pd

    profile = build_profile({"name": "a", "vcpu": 2, "memory_mb": 4096, "instance_types": "inf1.xlarge",
                             "specific_instance_type": False})
    assert profile.specific_instance_type and "specific_instance_type" not in profile.assumed_defaults
    assert not _runtime(profile, "ecs_fargate").feasible and not _runtime(profile, "lambda").feasible
    frame, problems = records_to_frame(pd.DataFrame({"name": ["a"], "vcpu": ["2"], "memory_mb": ["4096"],
                                                     "instance_types": ["inf1.xlarge"],
                                                     "specific_instance_type": ["false"]}))
    assert not problems and bool(frame.loc[0, "specific_instance_type"]) is True
    explicit_false = build_profile({"name": "b", "specific_instance_type": False})
    assert not explicit_false.specific_instance_type


def test_the_named_catalogue_is_sourced_and_separate_from_the_packing_catalogue() -> None:
    kb = knowledge()
    packing = {e["type"] for e in kb.value("price.ec2.instances")}
    named = kb.value("price.ec2.named_instances")
    assert not packing & {e["type"] for e in named}, "a type is priced in one place"
    for entry in named:
        for key in ("source", "url", "as_of", "verified", "vcpu", "memory_gib", "gpu", "accelerators", "arch",
                    "usd_hour"):
            assert entry.get(key) not in (None, ""), (entry["type"], key)
    families = {e["type"].split(".")[0] for e in named}
    assert {"inf1", "inf2", "trn1", "g4dn", "g5", "g6", "p3", "p5", "c5n", "c6gn", "c7gn", "i3", "i4i", "i3en",
            "m5", "m6i", "c5", "c6i", "r5", "r6i", "m6g", "c6g", "r6g"} <= families
    assert {"arm64", "x86_64"} == {e["arch"] for e in named}


def test_other_regions_borrow_the_named_catalogue_from_us_east_1_and_say_so() -> None:
    book = price_book("eu-west-1")
    assert "price.ec2.named_instances" in book.borrowed
    assert "price.ec2.named_instances" in book.summary()["borrowed_from_us_east_1"]


def test_the_starter_configs_use_the_named_instance_type() -> None:
    profile = build_profile({"name": "llm", "containerized": True, "vcpu": 4, "memory_mb": 16384, "gpu": 1,
                             "instance_types": ["g5.2xlarge"], **SERVICE})
    _, ecs_files, _ = api.render_starter(profile, "ecs_ec2")
    assert "Default: g5.2xlarge" in ecs_files["template.yaml"]
    _, eks_files, _ = api.render_starter(profile, "eks")
    assert "g5.2xlarge" in eks_files["cluster.yaml"]
