"""An alert, and how it reads on each platform: DingTalk and WeCom markdown, a Feishu/Lark card, an email, JSON.

An alert's body is a list of blocks: a paragraph, or a list item (`- ...`) that runs on with the items next to it.
The text is markdown that every platform renders (bold, links, lists); each renderer adds its own frame.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import Any

LEVEL_TEMPLATES = {"error": "red", "warning": "orange", "info": "blue"}
"""Feishu card header colours."""
LEVEL_WECOM_COLOURS = {"error": "warning", "warning": "comment", "info": "info"}
"""WeCom markdown font colours (its only three)."""
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 18000
MAX_ITEMS = 10
"""A list (failing rules, anomalies, SKUs) shows at most this many items and says how many more there are."""


@dataclass(frozen=True)
class Alert:
    event: str
    """run_failure, gate_blocked, kpi_anomaly, stockout_risk or daily_digest (config.EVENTS)"""
    run_id: str
    job_name: str
    title: str
    level: str
    """error, warning or info"""
    blocks: tuple[str, ...]
    link: str | None = None
    link_text: str = "打开报表"
    facts: dict[str, Any] = field(default_factory=dict)
    """The same content as data, for the generic JSON webhook."""

    def markdown(self, with_link: bool = True) -> str:
        """The body (without the title) as markdown: list items on consecutive lines, paragraphs apart."""
        parts: list[str] = []
        for block in self.blocks:
            if parts and block.startswith("- ") and parts[-1].startswith("- "):
                parts[-1] += "\n" + block
            else:
                parts.append(block)
        if with_link and self.link:
            parts.append(f"[{self.link_text}]({self.link})")
        return "\n\n".join(parts)

    def plain_text(self) -> str:
        """The body without markdown markup (email's text part)."""
        text = self.markdown(with_link=False)
        text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
        text = re.sub(r"`([^`]+)`", r"\1", text)
        return text + (f"\n\n{self.link_text}：{self.link}" if self.link else "")


def bullet_list(items: list[str], more_label: str = "项") -> list[str]:
    """At most MAX_ITEMS list items, then one saying how many more there are."""
    shown = [f"- {item}" for item in items[:MAX_ITEMS]]
    if len(items) > MAX_ITEMS:
        shown.append(f"- ……另有 {len(items) - MAX_ITEMS} {more_label}")
    return shown


def _truncate_utf8(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    suffix = "\n\n……（内容过长，已截断）"
    return encoded[: max_bytes - len(suffix.encode("utf-8"))].decode("utf-8", errors="ignore") + suffix


def dingtalk_payload(alert: Alert) -> dict[str, Any]:
    """DingTalk custom robot, msgtype markdown (title: the notification preview; text: the markdown)."""
    text = _truncate_utf8(f"#### {alert.title}\n\n{alert.markdown()}", DINGTALK_MAX_BYTES)
    return {"msgtype": "markdown", "markdown": {"title": alert.title, "text": text}}


def wecom_payload(alert: Alert) -> dict[str, Any]:
    """WeCom group robot, msgtype markdown (content at most 4096 bytes)."""
    colour = LEVEL_WECOM_COLOURS.get(alert.level, "info")
    content = f'### <font color="{colour}">{alert.title}</font>\n{alert.markdown()}'
    if alert.link and len(content.encode("utf-8")) > WECOM_MAX_BYTES:  # keep the link when the body is cut
        link = f"\n\n[{alert.link_text}]({alert.link})"
        body = _truncate_utf8(
            f'### <font color="{colour}">{alert.title}</font>\n{alert.markdown(with_link=False)}',
            WECOM_MAX_BYTES - len(link.encode("utf-8")),
        )
        content = body + link
    return {"msgtype": "markdown", "markdown": {"content": _truncate_utf8(content, WECOM_MAX_BYTES)}}


def feishu_card(alert: Alert) -> dict[str, Any]:
    """Feishu/Lark custom bot, msg_type interactive: a card with a coloured header, the markdown, a button."""
    elements: list[dict[str, Any]] = [{"tag": "markdown", "content": alert.markdown(with_link=False)}]
    if alert.link:
        elements.append(
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": alert.link_text},
                        "type": "primary",
                        "url": alert.link,
                    }
                ],
            }
        )
    return {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {
                "title": {"tag": "plain_text", "content": alert.title},
                "template": LEVEL_TEMPLATES.get(alert.level, "blue"),
            },
            "elements": elements,
        },
    }


def webhook_payload(alert: Alert) -> dict[str, Any]:
    """The generic JSON webhook: the event, the message (title, markdown, plain text) and its facts as data."""
    return {
        "event": alert.event,
        "level": alert.level,
        "title": alert.title,
        "markdown": alert.markdown(),
        "text": alert.plain_text(),
        "run_id": alert.run_id,
        "job_name": alert.job_name,
        "report_url": alert.link,
        "facts": alert.facts,
        "sent_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def email_html(alert: Alert) -> str:
    """The email's HTML part: the title, paragraphs and lists, bold and links kept."""

    def inline(text: str) -> str:
        text = html.escape(text)
        text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
        return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', text)

    out = [f"<h3>{html.escape(alert.title)}</h3>"]
    in_list = False
    for block in alert.blocks:
        if block.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{inline(block[2:])}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        out.append(f"<p>{inline(block)}</p>")
    if in_list:
        out.append("</ul>")
    if alert.link:
        out.append(f'<p><a href="{html.escape(alert.link)}">{html.escape(alert.link_text)}</a></p>')
    return '<html><body style="font-family: sans-serif">' + "\n".join(out) + "</body></html>"
