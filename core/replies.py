"""Vietnamese texts the core sends to citizens, shared by every channel."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from core.faq import FaqEntry

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")

GREETING = (
    "Xin chào! Tôi là trợ lý hỏi đáp thủ tục hành chính của {{province_name}}. "
    "Bạn cứ nhập câu hỏi, ví dụ: \u201cLàm lại căn cước bị mất ở đâu?\u201d"
)
THANKS = "Rất vui được hỗ trợ bạn. Nếu còn thắc mắc về thủ tục hành chính, bạn cứ hỏi tiếp nhé!"
GOODBYE = "Chào bạn, chúc bạn một ngày tốt lành!"
EMPTY = "Bạn vui lòng nhập câu hỏi về thủ tục hành chính để tôi có thể hỗ trợ."
SUGGEST_INTRO = "Có phải bạn muốn hỏi một trong những câu sau?"
FALLBACK = (
    "Xin lỗi, hiện tôi chưa có thông tin chính xác cho câu hỏi này.\n"
    "- Bạn có thể gọi đường dây nóng {{hotline}} hoặc đến {{service_center_name}} "
    "({{service_center_address}}) để được hướng dẫn.\n"
    "- Tra cứu thủ tục trên Cổng Dịch vụ công quốc gia: {{national_portal_url}}\n"
    "- Bạn cũng có thể chuyển câu hỏi cho cán bộ; câu trả lời sẽ được bổ sung vào bộ hỏi đáp."
)
LEGAL_BASIS_LABEL = "Căn cứ pháp lý"


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace ``{{name}}`` placeholders; unknown names stay visible so lint can catch them."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def answer_text(entry: FaqEntry, values: Mapping[str, str]) -> str:
    body = fill(entry.answer.strip(), values)
    if entry.legal_basis:
        body += f"\n\n{LEGAL_BASIS_LABEL}: " + "; ".join(entry.legal_basis) + "."
    return body


def suggestion_text(questions: Sequence[str]) -> str:
    lines = [SUGGEST_INTRO, *(f"{i}. {q}" for i, q in enumerate(questions, start=1))]
    return "\n".join(lines)
