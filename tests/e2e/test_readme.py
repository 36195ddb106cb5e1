"""The README's curl walk, run as written against the live stack: it must stay true."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import pytest

from tests.stack import RunningStack

README = Path(__file__).resolve().parents[2] / "README.md"


def walk_script(api: str) -> str:
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 6, "the README walk lost its bash blocks"
    script = "\n".join(blocks).replace("API=http://127.0.0.1:8000/api/v1", f"API={api}")
    assert f"API={api}" in script
    return (
        "set -euo pipefail\n" + script + '\necho "CLAIM_STATUS=$(curl -s $API/claims/$CLAIM '
        '-H "Authorization: Bearer $FINANCE" | j \'["status"]\')"\n'
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
async def test_readme_walk_pays_one_claim(stack: RunningStack) -> None:
    proc = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        walk_script(stack.api),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    text = out.decode()
    assert proc.returncode == 0, text
    balances = [int(b) for b in re.findall(r'\{"balance_fen":(\d+)', text)]
    assert len(balances) == 2, text
    paid = re.search(
        r'"status":"paid".*?"amount_fen":(\d+)|"amount_fen":(\d+)[^}]*"status":"paid"', text
    )
    assert paid, text
    amount = int(paid.group(1) or paid.group(2))
    assert balances[0] - balances[1] == amount > 0
    assert "CLAIM_STATUS=paid" in text
    # the pre-check and the notification the worker receives when a matching course is listed
    assert '"eligible":true' in text
    assert '"kind":"offering_matched"' in text
    assert '"unread":1' in text
    assert '"action":"confirm delivery"' in text
    # The certificate verifies, without a login, as valid and with a QR-friendly address.
    assert re.search(r"(?:^|})valid$", text, re.M), text
    assert re.search(r"^http\S+/certificates/JN\d{4}-\d{7}-\w{4}$", text, re.M), text
    assert text.count('"already_paid"') == 0  # the second call replays the first answer
    assert text.count('"code":"same_person"') == 1  # the reviewer may not approve
    assert text.count('"amount_fen":10000000') == 2  # the deposit, and its replay
    assert '"ok":true' in text  # the audit chain verifies
    # The unit's monthly report is signed off and finance sees the subsidies paid in it.
    assert "REPORT=locked" in text
    report_paid = re.search(r"^REPORT_PAID_FEN=(\d+)$", text, re.M)
    assert report_paid, text
    assert int(report_paid.group(1)) >= amount
    assert '{"consistent":true,"breaks":[]}' in text  # and the books reconcile
