"""The delivery adapters: one function per platform, each posting the platform's documented payload.

- DingTalk custom robot: POST JSON to the webhook (`.../robot/send?access_token=...`). With 加签 (a `SEC...` secret),
  `timestamp` (milliseconds) and `sign` are added to the query string: sign = urlencode(base64(HMAC-SHA256(key=secret,
  msg=timestamp + "\\n" + secret))). Success is `{"errcode": 0}`.
- WeCom (企业微信) group robot: POST JSON `{"msgtype": "markdown", ...}` to `.../cgi-bin/webhook/send?key=...`; success
  is `{"errcode": 0}`.
- Feishu/Lark custom bot: POST JSON to `.../open-apis/bot/v2/hook/<token>`. With signature verification on,
  the body carries `timestamp` (seconds) and `sign` = base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg="")).
  Success is `{"code": 0}` (older deployments answer `{"StatusCode": 0}`).
- Email: SMTP (`smtp://[user:password@]host[:port]`, STARTTLS when the server offers it; `smtps://` for TLS from the
  start, port 465), a text and an HTML part, UTF-8, to ALERT_EMAIL_TO. `?from=address` sets the sender.
- Generic webhook: POST the alert as JSON (messages.webhook_payload); any 2xx is success.

Any URL may be a local `http://` address (tests, on-premise gateways). Every error message is passed through
`redact` before it is logged or recorded, so no token, secret or password appears in logs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import ssl
import time
import urllib.parse
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import requests

from orchestration.alerts.config import ChannelSettings
from orchestration.alerts.messages import (
    Alert,
    dingtalk_payload,
    email_html,
    feishu_card,
    webhook_payload,
    wecom_payload,
)

USER_AGENT = "tmall-analytics-alerts/1"
DINGTALK_RETRYABLE = {130101, -1}
"""DingTalk errcodes worth another try: sending too fast (130101), system busy (-1)."""
WECOM_RETRYABLE = {45009, -1}
"""WeCom errcodes worth another try: over the rate limit (45009), system busy (-1)."""
FEISHU_RETRYABLE = {9499, 11232, 11233}
"""Feishu codes worth another try: frequency limited / system busy."""
EMAIL_SUBJECT_PREFIX = "【天猫数据】"


class DeliveryError(RuntimeError):
    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk 加签: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), not yet url-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu/Lark: base64(HMAC-SHA256 keyed by f"{timestamp}\\n{secret}", over an empty message)."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp_ms))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def sensitive_values(channel: ChannelSettings) -> list[str]:
    """Everything about a channel that must not be shown: the URL, its query values and path, the secret, the
    SMTP user's password."""
    values = [channel.url]
    parsed = urllib.parse.urlsplit(channel.url)
    values += [value for _, value in urllib.parse.parse_qsl(parsed.query)]
    values += [parsed.path, parsed.query, urllib.parse.unquote(parsed.path)]
    values += [segment for segment in parsed.path.split("/") if len(segment) >= 8]
    if parsed.password:
        values += [parsed.password, urllib.parse.unquote(parsed.password)]
    if channel.secret:
        values.append(channel.secret)
    return sorted({v for v in values if v and len(v) >= 4}, key=len, reverse=True)


def redact(text: str, channel: ChannelSettings) -> str:
    for value in sensitive_values(channel):
        text = text.replace(value, "***")
    return text


def describe_destination(channel: ChannelSettings) -> str:
    """What a log line may say about where a channel sends: its kind and host, never path, query or credentials."""
    parsed = urllib.parse.urlsplit(channel.url)
    host = parsed.hostname or "?"
    return f"{channel.kind} ({host}{f':{parsed.port}' if parsed.port else ''})"


def _post_json(url: str, payload: dict, timeout: float) -> requests.Response:
    try:
        response = requests.post(url, json=payload, timeout=timeout, headers={"User-Agent": USER_AGENT})
    except requests.RequestException as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    if response.status_code == 429 or response.status_code >= 500:
        raise DeliveryError(f"HTTP {response.status_code}")
    if response.status_code >= 300:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}", retryable=False)
    return response


def _json_answer(response: requests.Response) -> dict:
    try:
        answer = response.json()
    except ValueError:
        raise DeliveryError(f"answer is not JSON: {response.text[:200]}") from None
    return answer if isinstance(answer, dict) else {}


def send_dingtalk(channel: ChannelSettings, alert: Alert, timeout: float) -> None:
    url = channel.url
    if channel.secret:
        url = signed_dingtalk_url(url, channel.secret, int(time.time() * 1000))
    answer = _json_answer(_post_json(url, dingtalk_payload(alert), timeout))
    code = answer.get("errcode", 0)
    if code != 0:
        raise DeliveryError(f"DingTalk errcode {code}: {answer.get('errmsg')}", retryable=code in DINGTALK_RETRYABLE)


def send_wecom(channel: ChannelSettings, alert: Alert, timeout: float) -> None:
    answer = _json_answer(_post_json(channel.url, wecom_payload(alert), timeout))
    code = answer.get("errcode", 0)
    if code != 0:
        raise DeliveryError(f"WeCom errcode {code}: {answer.get('errmsg')}", retryable=code in WECOM_RETRYABLE)


def send_feishu(channel: ChannelSettings, alert: Alert, timeout: float) -> None:
    payload = feishu_card(alert)
    if channel.secret:
        timestamp = int(time.time())
        payload = {"timestamp": str(timestamp), "sign": feishu_sign(channel.secret, timestamp), **payload}
    answer = _json_answer(_post_json(channel.url, payload, timeout))
    code = answer.get("code", answer.get("StatusCode", 0))
    if code != 0:
        raise DeliveryError(f"Feishu code {code}: {answer.get('msg')}", retryable=code in FEISHU_RETRYABLE)


def send_webhook(channel: ChannelSettings, alert: Alert, timeout: float) -> None:
    _post_json(channel.url, webhook_payload(alert), timeout)


def email_message(alert: Alert, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = EMAIL_SUBJECT_PREFIX + alert.title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="tmall-analytics.local")
    message["X-Alert-Event"] = alert.event
    message["X-Dagster-Run-Id"] = alert.run_id
    message.set_content(alert.plain_text(), charset="utf-8")
    message.add_alternative(email_html(alert), subtype="html", charset="utf-8")
    return message


def send_email(channel: ChannelSettings, alert: Alert, timeout: float) -> None:
    parsed = urllib.parse.urlsplit(channel.url)
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise DeliveryError("ALERT_SMTP_URL must be smtp://[user:password@]host[:port] or smtps://...", retryable=False)
    query = dict(urllib.parse.parse_qsl(parsed.query))
    user = urllib.parse.unquote(parsed.username) if parsed.username else None
    password = urllib.parse.unquote(parsed.password) if parsed.password else None
    sender = query.get("from") or (user if user and "@" in user else f"tmall-analytics@{parsed.hostname}")
    message = email_message(alert, sender, channel.recipients)
    try:
        if parsed.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                parsed.hostname, parsed.port or 465, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(parsed.hostname, parsed.port or 25, timeout=timeout)
        with client:
            client.ehlo()
            if parsed.scheme == "smtp" and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if user and password:
                client.login(user, password)
            refused = client.send_message(message, from_addr=sender, to_addrs=list(channel.recipients))
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP authentication failed ({exc.smtp_code})", retryable=False) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    if refused:
        raise DeliveryError(f"SMTP refused {len(refused)} recipient(s)", retryable=False)


SENDERS: dict[str, Callable[[ChannelSettings, Alert, float], None]] = {
    "dingtalk": send_dingtalk,
    "wecom": send_wecom,
    "feishu": send_feishu,
    "email": send_email,
    "webhook": send_webhook,
}
