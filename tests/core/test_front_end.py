"""What the browser gets: security headers, pinned vendored files, nothing from elsewhere."""

import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [
    *ROOT.glob("portal/**/templates/**/*.html"),
    *ROOT.glob("lodging/**/templates/**/*.html"),
]


def test_pages_carry_security_headers(client):
    response = client.get("/en/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_script_or_style_that_the_csp_would_block():
    assert TEMPLATES
    for template in TEMPLATES:
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"<style\b", text), template
        assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"\son[a-z]+=", text), template


def test_templates_load_nothing_from_another_host():
    for template in TEMPLATES:
        found = re.findall(r'(?:src|href)="(?:https?:)?//[^"]+"', template.read_text())
        assert not found, (template, found)


def test_vendored_files_match_their_pinned_hashes():
    vendor = ROOT / "static" / "vendor"
    manifest = json.loads((vendor / "manifest.json").read_text())["files"]
    assert manifest
    for relative, entry in manifest.items():
        digest = hashlib.sha256((vendor / relative).read_bytes()).hexdigest()
        assert digest == entry["sha256"], relative
    served = {
        str(p.relative_to(vendor))
        for p in vendor.rglob("*")
        if p.is_file() and p.suffix in {".js", ".css", ".mjs"}
    }
    assert served <= set(manifest), served - set(manifest)


def test_every_page_form_has_a_csrf_token(client):
    for path in ("/en/login", "/en/register"):
        assert 'name="csrf_token"' in client.get(path).get_data(as_text=True)


def test_form_fields_carry_only_meaningful_aria_attributes(client):
    page = client.post("/en/register", data={}).get_data(as_text=True)  # errors shown
    page += client.get("/en/login").get_data(as_text=True)
    assert '="None"' not in page
    assert 'aria-invalid="true"' not in client.get("/en/login").get_data(as_text=True)


def test_pages_declare_an_icon_so_browsers_do_not_ask_for_a_missing_one(client):
    page = client.get("/en/").get_data(as_text=True)
    assert 'rel="icon"' in page
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    response.close()
