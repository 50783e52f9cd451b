"""The `managed_alternative` output field and its data file (models/managed_alternatives.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from advisor.api import recommend
from advisor.engine.managed import managed_alternative
from advisor.errors import KnowledgeBaseError
from advisor.knowledge import managed
from advisor.knowledge.base import read_model_file
from advisor.outputs.formats import OutputFormat, to_json, to_markdown, to_yaml
from advisor.outputs.reports.context import single_report
from advisor.profile.fields import build_profile


def test_every_product_names_a_sourced_dated_alternative_or_says_why_there_is_none() -> None:
    products = managed.products()
    assert {"postgres", "mysql", "mariadb", "sqlserver", "mongodb", "redis", "memcached", "rabbitmq", "kafka",
            "zookeeper", "cassandra", "elasticsearch", "clickhouse"} <= {p.key for p in products}
    for product in products:
        if product.alternative is None:
            assert product.note, product.key
            continue
        assert product.alternative.url.startswith("https://"), product.key
        assert product.alternative.as_of and product.alternative.rationale.endswith("."), product.key
        assert product.alternative.verified in ("aws_docs", "third_party", "unconfirmed"), product.key


AWS_DOCS = ("https://docs.aws.amazon.com/", "https://aws.amazon.com/", "https://docs.amazonaws.cn/")


def test_every_alternative_was_checked_against_a_page_and_says_what_it_read() -> None:
    """Issue 14 item 2: each rationale was looked up; `verified: aws_docs` points at an AWS page and quotes it,
    `third_party` quotes the page it rests on, and `unconfirmed` is only allowed with a reason."""
    from advisor.knowledge.base import read_model_file

    raw = read_model_file("managed_alternatives.yaml")["products"]
    for key, entry in raw.items():
        alternative = entry.get("alternative")
        if alternative is None:
            continue
        for field in ("service", "rationale", "source", "url", "as_of", "verified"):
            assert str(alternative.get(field) or "").strip(), (key, field)
        verified = alternative["verified"]
        if verified == "unconfirmed":
            assert str(alternative.get("reason") or "").strip(), f"{key}: unconfirmed needs a reason"
            continue
        assert str(alternative.get("quote") or "").strip(), f"{key}: say what the page says"
        if verified == "aws_docs":
            assert alternative["url"].startswith(AWS_DOCS), key
    assert sum(1 for e in raw.values() if (e.get("alternative") or {}).get("verified") == "aws_docs") >= 15


@pytest.mark.parametrize(("image", "key"), [
    ("postgres:16-alpine", "postgres"), ("docker.io/library/postgres", "postgres"),
    ("postgis/postgis:16-3.4", "postgres"),
    ("bitnami/redis:7.2", "redis"), ("valkey/valkey:8", "redis"), ("mariadb:11", "mariadb"), ("mysql:8.4", "mysql"),
    ("mcr.microsoft.com/mssql/server:2022-latest", "sqlserver"), ("mongo:7", "mongodb"),
    ("confluentinc/cp-kafka:7.6.0", "kafka"), ("bitnami/kafka", "kafka"), ("zookeeper:3.9", "zookeeper"),
    ("docker.elastic.co/elasticsearch/elasticsearch:8.13.0", "elasticsearch"),
    ("opensearchproject/opensearch:2", "elasticsearch"), ("rabbitmq:3-management", "rabbitmq"),
    ("cassandra:5", "cassandra"), ("clickhouse/clickhouse-server:24", "clickhouse"),
    ("nginx:1.27", None), ("nextcloud:apache", None), ("kibana:8.13.0", None), ("redis-commander", None),
    ("mongo-express", None), ("postgres-exporter", None),
])
def test_products_are_recognised_by_image_family(image: str, key: str | None) -> None:
    from advisor.importers.hints import split_image

    found = managed.product_for_image(split_image(image)[0])
    assert (found.key if found else None) == key


def test_the_output_field_is_null_unless_the_workload_is_a_known_backing_service() -> None:
    db = recommend(build_profile({"name": "db", "backing_service": "postgres", "protocols": "tcp",
                                  "workload_type": "stateful_service"}))
    data = json.loads(to_json(db))
    assert data["managed_alternative"]["service"].startswith("Amazon RDS for PostgreSQL")
    assert set(data["managed_alternative"]) == {"service", "rationale", "source"}
    assert "docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_PostgreSQL" in data["managed_alternative"]["source"]
    assert yaml.safe_load(to_yaml(db))["managed_alternative"] == data["managed_alternative"]
    assert "## Managed alternative" in to_markdown(db)
    for other in ({"name": "web"}, {"name": "odd", "backing_service": "my-own-store"},
                  {"name": "ch", "backing_service": "clickhouse"}):
        assert json.loads(to_json(recommend(build_profile(other))))["managed_alternative"] is None
    assert managed_alternative(build_profile({"name": "x", "backing_service": " Redis "}))["service"].startswith(
        "Amazon ElastiCache")


def test_every_text_format_can_show_it() -> None:
    from advisor.cli.table import to_table

    db = recommend(build_profile({"name": "q", "backing_service": "rabbitmq", "protocols": "tcp"}))
    assert "Amazon MQ" in to_table(db)
    assert len(OutputFormat) == 4


def test_the_single_workload_report_shows_it(tmp_path: Path) -> None:
    profile = build_profile({"name": "cache", "backing_service": "redis", "protocols": "tcp"})
    report = single_report(recommend(profile), profile, tmp_path)
    assert report.managed_alternative is not None
    assert report.managed_alternative["service"].startswith("Amazon ElastiCache")


def test_a_broken_data_file_names_the_file_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    data = read_model_file(managed.FILE)
    broken = {"products": {**data["products"], "bad": {**data["products"]["redis"], "port": "six"}}}
    monkeypatch.setattr(managed, "read_model_file", lambda name: broken)
    managed.products.cache_clear()
    try:
        with pytest.raises(KnowledgeBaseError, match=r"models/managed_alternatives.yaml: products.bad.port"):
            managed.products()
        no_reason = {"products": {"x": {"images": ["^x$"], "port": 1, "alternative": None}}}
        monkeypatch.setattr(managed, "read_model_file", lambda name: no_reason)
        managed.products.cache_clear()
        with pytest.raises(KnowledgeBaseError, match="alternative is null, so a note must say why"):
            managed.products()
    finally:
        managed.products.cache_clear()
