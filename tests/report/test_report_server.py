"""`python -m orchestration.reports.serve` serves a built Evidence site the way its pages link to each other."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from orchestration.reports.serve import main, serving


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A miniature built site: the home page, a Chinese page route, prerendered query files, a 404 page."""
    (tmp_path / "index.html").write_text("<h1>经营概览</h1>", encoding="utf-8")
    (tmp_path / "店铺").mkdir()
    (tmp_path / "店铺" / "index.html").write_text("<h1>店铺</h1>", encoding="utf-8")
    (tmp_path / "legacy.html").write_text("<h1>legacy</h1>", encoding="utf-8")
    queries = tmp_path / "api" / "prerendered_queries"
    queries.mkdir(parents=True)
    (queries / "abc123.arrow").write_bytes(b"\xff\xff\xff\xff\x00\x00\x00\x00")
    (tmp_path / "api" / "pagesManifest.json").write_text("{}", encoding="utf-8")
    (tmp_path / "404.html").write_text("<h1>页面不存在</h1>", encoding="utf-8")
    return tmp_path


@pytest.fixture
def get(site: Path) -> Iterator:
    with serving(site) as url:
        host, port = urlsplit(url).hostname, urlsplit(url).port

        def request(path: str) -> tuple[int, dict[str, str], bytes]:
            connection = http.client.HTTPConnection(host, port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body

        yield request


def test_home_page_is_served_with_and_without_index_html(get) -> None:
    for path in ("/", "/index.html"):
        status, headers, body = get(path)
        assert status == 200
        assert headers["content-type"].startswith("text/html")
        assert "经营概览" in body.decode("utf-8")


def test_chinese_page_route_redirects_to_its_trailing_slash_and_is_served(get) -> None:
    status, headers, _ = get("/" + quote("店铺"))
    assert status == 301
    assert headers["location"] == "/" + quote("店铺") + "/"
    status, _, body = get("/" + quote("店铺") + "/")
    assert status == 200
    assert "店铺" in body.decode("utf-8")


def test_page_built_as_a_html_file_is_served_without_its_extension(get) -> None:
    status, _, body = get("/legacy")
    assert status == 200
    assert b"legacy" in body


def test_prerendered_query_results_are_served_as_arrow(get) -> None:
    status, headers, body = get("/api/prerendered_queries/abc123.arrow")
    assert status == 200
    assert headers["content-type"] == "application/vnd.apache.arrow.file"
    assert body == b"\xff\xff\xff\xff\x00\x00\x00\x00"
    status, headers, _ = get("/api/pagesManifest.json")
    assert status == 200
    assert headers["content-type"].startswith("application/json")


def test_unknown_path_gets_the_sites_404_page(get) -> None:
    status, _, body = get("/nothing/here")
    assert status == 404
    assert "页面不存在" in body.decode("utf-8")


def test_serve_command_refuses_a_directory_without_a_built_site(tmp_path: Path) -> None:
    assert main(["--dir", str(tmp_path), "--port", "0"]) == 1
