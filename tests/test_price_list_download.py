"""`advisor prices update` without --from (issue 13): the download walks the Price List layout AWS documents
(service index, each offer's region index, the Region's file; Savings Plans through the EC2 offer's
`currentSavingsPlanIndexUrl`), here against a local HTTP server serving tests/data/pricelist in that layout
($ADVISOR_PRICE_LIST_URL), never the network. Also the Compute Savings Plans offer file format and the
discounts the cost model derives from its rates."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from advisor.api import score_profiles
from advisor.cli.app import app
from advisor.knowledge.price_list import ENV_BASE_URL, SAVINGS_PLANS, offers_from_path, savings_plan_rates
from advisor.profile.fields import build_profile

FIXTURE = Path(__file__).resolve().parent / "data" / "pricelist"
VERSION = "20261120181244"
SERVICES = ("AWSLambda", "AmazonECS", "AmazonEKS", "AWSELB", "AmazonApiGateway", "AmazonEC2", "AmazonVPC")
SP_INDEX = f"/savingsPlan/v1.0/aws/{SAVINGS_PLANS}/current/region_index.json"


def write_layout(root: Path) -> None:
    """tests/data/pricelist laid out as pricing.us-east-1.amazonaws.com serves it, for eu-west-1."""
    offers = {}
    for code in SERVICES:
        offers[code] = {"offerCode": code, "versionIndexUrl": f"/offers/v1.0/aws/{code}/index.json",
                        "currentVersionUrl": f"/offers/v1.0/aws/{code}/current/index.json",
                        "currentRegionIndexUrl": f"/offers/v1.0/aws/{code}/current/region_index.json"}
        region_file = f"/offers/v1.0/aws/{code}/{VERSION}/eu-west-1/index.json"
        put(root, f"/offers/v1.0/aws/{code}/current/region_index.json", {
            "formatVersion": "v1.0", "publicationDate": "2026-11-20T18:12:44Z",
            "regions": {"eu-west-1": {"regionCode": "eu-west-1", "currentVersionUrl": region_file}}})
        (root / region_file.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURE / f"{code}.json", root / region_file.lstrip("/"))
    offers["AmazonEC2"]["currentSavingsPlanIndexUrl"] = SP_INDEX
    put(root, "/offers/v1.0/aws/index.json", {"formatVersion": "v1.0", "publicationDate": "2026-11-20T18:12:44Z",
                                              "offers": offers})
    plan_file = f"/savingsPlan/v1.0/aws/{SAVINGS_PLANS}/{VERSION}/eu-west-1/index.json"
    put(root, SP_INDEX, {"publicationDate": "2026-11-20T18:12:44Z",
                         "regions": [{"regionCode": "us-west-2-den-1", "versionUrl": "/elsewhere.json"},
                                     {"regionCode": "eu-west-1", "versionUrl": plan_file}]})
    (root / plan_file.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE / f"{SAVINGS_PLANS}.json", root / plan_file.lstrip("/"))


def put(root: Path, path: str, data: object) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data))


class Handler(http.server.SimpleHTTPRequestHandler):
    requested: list[str]

    def log_message(self, format: str, *args: object) -> None:
        self.requested.append(self.path)


@pytest.fixture
def price_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, list[str]]]:
    """A local Price List server on a free port; $ADVISOR_PRICE_LIST_URL points at it. Yields the folder it
    serves and the paths it was asked for."""
    root = tmp_path / "pricing"
    write_layout(root)
    requested: list[str] = []
    handler = type("Recording", (Handler,), {"requested": requested})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(ENV_BASE_URL, f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield root, requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def api(region: str = "eu-west-1", **fields: object) -> dict:
    """An API of the default size (1 vCPU, 2 GB on Fargate) with no traffic: two tasks or instances."""
    return {"name": "w", "workload_type": "http_api", "requests_per_month": 0, "region": region,
            "network_egress": "none", **fields}


def compute(profile: dict, runtime: str, pricing: str = "on-demand") -> float:
    return float(score_profiles([build_profile(profile)], pricing=pricing).cost.lines[runtime]["compute"][0])


def test_default_download_walks_the_price_list_and_a_later_recommend_uses_it(
        runner: CliRunner, no_updated_prices: Path, price_list: tuple[Path, list[str]]) -> None:
    """Fargate in eu-west-1 from the served files: 2 tasks x 730 h x ($0.04456 + 2 GB x $0.004891) = $79.34
    on demand; the 1-year plan's rates give 2 x 730 x ($0.03297 + 2 x $0.003619) = $58.70 (26% off, where the
    assumed discount gives 20%) and the 3-year 2 x 730 x ($0.02228 + 2 x $0.002446) = $39.67 (50%, assumed 45%).
    ECS on EC2 for 1 vCPU / 4 GB tasks packs one per m7i.large: 2 x 730 x $0.0805 = $117.53 on the 1-year
    rate (28.0% off $0.1118, not the assumed 27%)."""
    _, requested = price_list
    assert compute(api(), "ecs_fargate") == pytest.approx(2 * 730 * (0.04048 + 2 * 0.004445))  # bundled first
    result = runner.invoke(app, ["prices", "update", "--region", "eu-west-1"])
    assert result.exit_code == 0, result.output
    assert requested[0] == "/offers/v1.0/aws/index.json"
    assert SP_INDEX in requested
    assert f"/savingsPlan/v1.0/aws/{SAVINGS_PLANS}/{VERSION}/eu-west-1/index.json" in requested
    written = yaml.safe_load((no_updated_prices / "prices-eu-west-1.yaml").read_text())
    fargate = written["facts"]["price.fargate.linux.x86_64.vcpu_hour"]
    assert fargate["value"] == pytest.approx(0.04456) and fargate["url"].startswith("http://127.0.0.1:")
    assert written["facts"]["price.savings_plans.compute_rates"]["verified"] == "aws_price_list"
    assert compute(api(), "ecs_fargate") == pytest.approx(79.34, abs=0.005)
    assert compute(api(), "ecs_fargate", "savings-1y") == pytest.approx(58.70, abs=0.005)
    assert compute(api(), "ecs_fargate", "savings-3y") == pytest.approx(39.67, abs=0.005)
    ec2 = api(memory_mb=4096, arch="x86_64")
    scored = score_profiles([build_profile(ec2)], pricing="savings-1y")
    assert scored.cost.instance_type["ecs_ec2"][0] == "m7i.large"
    assert scored.cost.lines["ecs_ec2"]["compute"][0] == pytest.approx(117.53, abs=0.005)
    shown = runner.invoke(app, ["recommend", "--set", "name=w", "--set", "region=eu-west-1", "--format", "json"])
    assert shown.exit_code == 0 and "2026-11-20" in json.loads(shown.stdout)["prices"]["as_of"]


def test_a_missing_file_fails_naming_its_url_and_writes_nothing(
        runner: CliRunner, no_updated_prices: Path, price_list: tuple[Path, list[str]]) -> None:
    root, _ = price_list
    (root / f"offers/v1.0/aws/AmazonEKS/{VERSION}/eu-west-1/index.json").unlink()
    result = runner.invoke(app, ["prices", "update", "--region", "eu-west-1"])
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert f"/offers/v1.0/aws/AmazonEKS/{VERSION}/eu-west-1/index.json" in flat and "404" in flat
    assert "--from" in flat
    assert list(no_updated_prices.iterdir()) == []  # neither a price file nor a temporary one


def test_a_server_that_is_down_fails_naming_the_index_url(
        runner: CliRunner, no_updated_prices: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(ENV_BASE_URL, f"http://127.0.0.1:{port}")
    result = runner.invoke(app, ["prices", "update", "--region", "eu-west-1"])
    assert result.exit_code == 2, result.output
    assert f"http://127.0.0.1:{port}/offers/v1.0/aws/index.json" in " ".join(result.output.split())
    assert list(no_updated_prices.iterdir()) == []


def test_savings_plans_file_gives_compute_no_upfront_rates_only() -> None:
    """Decoys in the fixture: an All Upfront plan, an EC2 Instance Savings Plan, Windows (RunInstances:0002),
    dedicated tenancy and a us-east-1 rate, none of which may be read for eu-west-1."""
    offer = next(o for o in offers_from_path(FIXTURE / f"{SAVINGS_PLANS}.json"))
    rates = savings_plan_rates(offer, "eu-west-1")
    assert rates["savings-1y"]["ec2"] == {"m7i.large": 0.0805, "m7g.large": 0.0651, "t3.medium": 0.0333}
    assert rates["savings-3y"]["ec2"] == {"m7i.large": 0.0559}
    assert rates["savings-1y"]["fargate"]["arm64_gb_hour"] == 0.00313
    assert rates["savings-1y"]["lambda"] == {"x86_64_gb_second": 0.000015, "arm64_gb_second": 0.0000120001}
    assert savings_plan_rates(offer, "us-east-1")["savings-1y"]["ec2"] == {"m7i.large": 0.01}


def test_prices_update_from_a_savings_plans_file_alone(runner: CliRunner, no_updated_prices: Path) -> None:
    result = runner.invoke(app, ["prices", "update", "--from", str(FIXTURE / f"{SAVINGS_PLANS}.json")])
    assert result.exit_code == 0, result.output
    written = yaml.safe_load((no_updated_prices / "prices-eu-west-1.yaml").read_text())
    assert list(written["facts"]) == ["price.savings_plans.compute_rates"]
    # Lambda x86 at 1 GB: 1M x 1 s = 1,000,000 GB-s x $0.0000166667 = $16.67; the 1-year rate $0.000015 is 10% off.
    job = {"name": "f", "workload_type": "event_handler", "vcpu": 0.5, "memory_mb": 1024, "avg_duration_ms": 1000,
           "requests_per_month": 1_000_000, "region": "eu-west-1", "traffic_pattern": "steady", "language": "go"}
    assert compute(job, "lambda", "savings-1y") == pytest.approx(compute(job, "lambda") * 0.000015 / 0.0000166667)


def test_a_rate_deeper_than_aws_maximum_is_refused(runner: CliRunner, no_updated_prices: Path) -> None:
    """A rate 91% below on-demand cannot be a Compute Savings Plans rate (AWS: up to 66% on EC2)."""
    path = no_updated_prices / "prices-eu-west-1.yaml"
    path.write_text(yaml.safe_dump({"schema": 1, "region": "eu-west-1", "name": "EU (Ireland)", "facts": {
        "price.savings_plans.compute_rates": {"value": {"savings-1y": {"ec2": {"m7i.large": 0.01}}},
                                              "source": "test", "as_of": "2026-11-20"}}}))
    result = runner.invoke(app, ["recommend", "--set", "name=w", "--set", "region=eu-west-1",
                                 "--pricing", "savings-1y"])
    assert result.exit_code == 2, result.output
    assert "prices-eu-west-1.yaml" in result.output and "ec2.m7i.large" in result.output
    assert runner.invoke(app, ["recommend", "--set", "name=w", "--set", "region=eu-west-1"]).exit_code == 0
