"""Regions (issue 13 item 9): bundled per-Region prices, --region, unknown Regions, and
`advisor prices update` from a small AWS Price List offer-file fixture (never the network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from advisor.api import known_regions, recommend, score_profiles
from advisor.cli.app import app
from advisor.knowledge.price_list import offers_from_path, parse_offer
from advisor.knowledge.prices import price_book
from advisor.profile.fields import build_profile

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
FIXTURE = REPO / "tests" / "data" / "pricelist"
BUNDLED = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1",
           "ap-northeast-1", "ap-south-1", "sa-east-1")


def test_nine_regions_are_bundled_each_sourced_and_dated() -> None:
    assert set(BUNDLED) <= set(known_regions())
    for region in BUNDLED:
        book = price_book(region)
        for key in ("price.lambda.gb_second.x86_64.tiers", "price.eks.control_plane_hour.standard"):
            fact = book.fact(key)
            assert fact.source and fact.as_of and fact.verified
        assert book.summary()["region"] == region


def test_sa_east_1_prices_fargate_at_its_own_rates() -> None:
    """Sao Paulo: 1 vCPU / 2 GB at $0.0696 + 2 x $0.0076 = $0.0848 an hour; two API tasks = 2 x 730 x
    $0.0848 = $123.81 (us-east-1: $72.08)."""
    profile = {"name": "w", "workload_type": "http_api", "requests_per_month": 0}
    home = score_profiles([build_profile(profile)])
    away = score_profiles([build_profile({**profile, "region": "sa-east-1"})])
    assert home.cost.lines["ecs_fargate"]["compute"][0] == pytest.approx(2 * 730 * (0.04048 + 2 * 0.004445))
    assert away.cost.lines["ecs_fargate"]["compute"][0] == pytest.approx(2 * 730 * (0.0696 + 2 * 0.0076))


def test_a_mixed_portfolio_prices_each_row_in_its_region() -> None:
    rows = [build_profile({"name": f"w{i}", "workload_type": "http_api", "region": region})
            for i, region in enumerate(["us-east-1", "sa-east-1", "us-east-1"])]
    together = score_profiles(rows)
    for i, profile in enumerate(rows):
        alone = score_profiles([profile])
        assert together.monthly_cost[i] == pytest.approx(alone.monthly_cost[0])


def test_borrowed_prices_are_named() -> None:
    rec = recommend(build_profile({"name": "w", "region": "sa-east-1"})).to_dict()
    assert rec["region"] == "sa-east-1" and rec["pricing"] == "on-demand"
    borrowed = rec["prices"]["borrowed_from_us_east_1"]
    # sa-east-1 prices its own EC2 catalogue and NAT gateways; i4i.2xlarge has no Sao Paulo price in the file
    assert "price.ec2.instances[i4i.2xlarge]" in borrowed
    assert "price.ec2.instances" not in borrowed and "price.nat_gateway.hour" not in borrowed
    assert recommend(build_profile({"name": "w"})).to_dict()["prices"]["borrowed_from_us_east_1"] == []


def test_recommend_with_region_prices_there_and_says_so(runner: CliRunner) -> None:
    result = runner.invoke(app, ["recommend", str(EXAMPLES / "orders-api.yaml"), "--region", "eu-west-1", "-f",
                                 "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["region"] == "eu-west-1" and data["prices"]["name"] == "EU (Ireland)"
    table = runner.invoke(app, ["recommend", str(EXAMPLES / "orders-api.yaml"), "--region", "eu-west-1",
                                "-f", "markdown"])
    assert "eu-west-1 (EU (Ireland)), on-demand" in table.stdout


def test_unknown_region_exits_2_naming_the_known_ones(runner: CliRunner) -> None:
    result = runner.invoke(app, ["recommend", str(EXAMPLES / "orders-api.yaml"), "--region", "mars-central-1"])
    assert result.exit_code == 2
    for region in BUNDLED:
        assert region in result.output
    in_profile = runner.invoke(app, ["recommend", "--set", "name=x", "--set", "region=mars-central-1"])
    assert in_profile.exit_code == 2 and "us-east-1" in in_profile.output
    malformed = runner.invoke(app, ["recommend", "--set", "name=x", "--set", "region=<script>"])
    assert malformed.exit_code == 2 and "Region code" in malformed.output


def test_pricing_option_reaches_json_and_rejects_unknown(runner: CliRunner) -> None:
    result = runner.invoke(app, ["recommend", str(EXAMPLES / "orders-api.yaml"), "--pricing", "savings-3y",
                                 "-f", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["pricing"] == "savings-3y"
    bad = runner.invoke(app, ["recommend", str(EXAMPLES / "orders-api.yaml"), "--pricing", "reserved"])
    assert bad.exit_code == 2 and "savings-1y" in bad.output


def test_the_fixture_is_a_price_list_offer_file() -> None:
    offers = offers_from_path(FIXTURE)
    assert {o.code for o in offers} >= {"AWSLambda", "AmazonECS", "AmazonEC2", "AmazonEKS", "AWSELB",
                                        "AmazonApiGateway", "AmazonVPC"}
    assert {o.published for o in offers} == {"2026-11-20"}
    with pytest.raises(Exception, match="not an AWS Price List offer file"):
        parse_offer({"products": {}}, "x.json")


def test_prices_update_writes_a_file_later_runs_prefer(runner: CliRunner, no_updated_prices: Path) -> None:
    """The fixture prices Fargate in eu-west-1 at $0.04456 + 2 x $0.004891 = $0.054342 an hour: two API tasks
    = 2 x 730 x $0.054342 = $79.34, where the bundled eu-west-1 file gives $72.08."""
    profile = build_profile({"name": "w", "workload_type": "http_api", "requests_per_month": 0,
                             "region": "eu-west-1"})
    before = score_profiles([profile]).cost.lines["ecs_fargate"]["compute"][0]
    assert before == pytest.approx(2 * 730 * (0.04048 + 2 * 0.004445))
    result = runner.invoke(app, ["prices", "update", "--from", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    written = no_updated_prices / "prices-eu-west-1.yaml"
    data = yaml.safe_load(written.read_text())
    assert data["published"] == "2026-11-20" and data["region"] == "eu-west-1"
    assert data["facts"]["price.fargate.linux.x86_64.vcpu_hour"]["as_of"] == "2026-11-20"
    instances = {e["type"]: e for e in data["facts"]["price.ec2.instances"]["value"]}
    assert instances["m7i.large"]["usd_hour"] == pytest.approx(0.1118)  # Linux shared, not the decoys
    named = {e["type"]: e for e in data["facts"]["price.ec2.named_instances"]["value"]}
    assert named["inf1.xlarge"]["usd_hour"] == pytest.approx(0.254) and named["inf1.xlarge"]["as_of"] == "2026-11-20"
    assert named["g5.2xlarge"]["usd_hour"] == pytest.approx(1.212), "a type the offer lacks keeps us-east-1's price"
    assert data["facts"]["price.apigw.http_api_per_million"]["value"] == [
        {"up_to_requests_per_month": 300000000, "usd": 1.1}, {"up_to_requests_per_month": None, "usd": 1.0}]
    after = score_profiles([profile]).cost.lines["ecs_fargate"]["compute"][0]
    assert after == pytest.approx(2 * 730 * (0.04456 + 2 * 0.004891))
    rec = recommend(profile).to_dict()
    assert rec["prices"]["as_of"] == "2026-11-20" and "offer files" in rec["prices"]["source"]
    shown = runner.invoke(app, ["runtimes", "--region", "eu-west-1"])
    assert shown.exit_code == 0 and "2026-11-20" in shown.output
    listing = runner.invoke(app, ["runtimes"])
    assert "updated from AWS Price List offer files published 2026-11-20" in " ".join(listing.output.split())


def test_prices_update_for_a_region_the_files_lack_fails_cleanly(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prices", "update", "--from", str(FIXTURE), "--region", "ap-south-1"])
    assert result.exit_code == 2 and "ap-south-1" in result.output
    missing = runner.invoke(app, ["prices", "update", "--from", str(FIXTURE / "nope.json")])
    assert missing.exit_code == 2 and "nope.json" in missing.output


def test_a_broken_updated_price_file_names_itself(runner: CliRunner, no_updated_prices: Path) -> None:
    (no_updated_prices / "prices-eu-west-1.yaml").write_text(
        "schema: 1\nregion: eu-west-1\nfacts:\n  price.made.up: {value: 1, source: x, as_of: 2026-01-01}\n")
    result = runner.invoke(app, ["recommend", "--set", "name=x", "--set", "region=eu-west-1"])
    assert result.exit_code != 0 and "prices-eu-west-1.yaml" in result.output


def test_assess_prices_rows_in_their_regions_and_flags_unknown_ones(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("name,workload_type,region\na,http_api,us-east-1\nb,http_api,sa-east-1\nc,http_api,mars-central-1\n")
    out, summary = tmp_path / "out.csv", tmp_path / "summary.json"
    result = runner.invoke(app, ["assess", str(source), "--out", str(out), "--summary", str(summary),
                                 "--pricing", "savings-1y"])
    assert result.exit_code == 3, result.output  # row c is invalid: no prices for that Region
    data = json.loads(summary.read_text())
    assert data["pricing"] == "savings-1y"
    assert data["regions"] == {"sa-east-1": 1, "us-east-1": 1}
    assert "mars-central-1" in out.read_text() and "known:" in out.read_text()
    everywhere = runner.invoke(app, ["assess", str(source), "--out", str(tmp_path / "o2.csv"), "--summary",
                                     str(tmp_path / "s2.json"), "--region", "eu-west-1"])
    assert everywhere.exit_code == 0, everywhere.output
    assert json.loads((tmp_path / "s2.json").read_text())["regions"] == {"eu-west-1": 3}
    assert "Priced on-demand in eu-west-1 (3)" in everywhere.output


def test_interview_and_report_take_pricing_and_region(runner: CliRunner, tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    result = runner.invoke(app, ["report", str(EXAMPLES / "orders-api.yaml"), "--out", str(report),
                                 "--region", "sa-east-1", "--pricing", "savings-3y"])
    assert result.exit_code == 0, result.output
    assert "Priced: sa-east-1 (South America (Sao Paulo)), savings-3y" in report.read_text()
    chat = runner.invoke(app, ["interview", "--answers", str(EXAMPLES / "thumbnailer-answers.yaml"), "--format",
                               "json", "--region", "ap-south-1", "--pricing", "savings-1y"])
    assert chat.exit_code == 0, chat.output
    data = json.loads(chat.stdout[chat.stdout.index("{"):])
    assert data["region"] == "ap-south-1" and data["pricing"] == "savings-1y"


def test_a_type_priced_at_us_east_1s_price_gets_a_caution() -> None:
    """2 vCPU / 14,000 MB in Sao Paulo: EKS packs r7i.2xlarge, which the sa-east-1 file does not price (it
    borrows us-east-1's $0.5292 an hour), so the result says so; ECS on EC2 packs m7i.xlarge, which it prices,
    and says nothing; in us-east-1 nothing is borrowed."""
    def ranking(region: str) -> dict[str, dict]:
        profile = {"name": "w", "workload_type": "http_api", "vcpu": 2, "memory_mb": 14000, "region": region}
        return {r["runtime"]: r for r in recommend(build_profile(profile)).to_dict()["ranking"]}

    def borrowed_notes(result: dict) -> list[str]:
        return [c for c in result["cautions"] if "at its us-east-1 price" in c]

    sao_paulo = ranking("sa-east-1")
    assert sao_paulo["eks"]["sizing"].endswith("r7i.2xlarge")
    assert borrowed_notes(sao_paulo["eks"]) == [
        "EC2 capacity is priced on r7i.2xlarge at its us-east-1 price: the advisor has no sa-east-1 price for "
        "r7i.2xlarge (see prices.borrowed_from_us_east_1); refresh the prices for sa-east-1 from the AWS Price "
        "List for the Region's own figure."]
    assert sao_paulo["ecs_ec2"]["sizing"].endswith("m7i.xlarge") and borrowed_notes(sao_paulo["ecs_ec2"]) == []
    virginia = ranking("us-east-1")
    assert all(borrowed_notes(result) == [] for result in virginia.values())


def test_lambda_cpu_caution_names_the_memory_per_vcpu_once() -> None:
    """The fact renders with its unit (1,769 MB): the message must not add a second 'MB'."""
    profile = {"name": "w", "workload_type": "http_api", "vcpu": 2}
    cautions = {r["runtime"]: r["cautions"] for r in recommend(build_profile(profile)).to_dict()["ranking"]}["lambda"]
    assert any("(1,769 MB per vCPU)" in c for c in cautions), cautions
    assert not any("MB MB" in c for c in cautions)
