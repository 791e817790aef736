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
IDENTITY = (
    "Tôi là trợ lý tự động hỏi đáp thủ tục hành chính của {{province_name}}, không phải cán bộ.\n"
    "- Tôi trả lời theo bộ câu hỏi thường gặp do cán bộ biên soạn và danh mục thủ tục hành chính quốc gia.\n"
    "- Tôi không tra cứu được hồ sơ cá nhân của bạn; cần hỗ trợ trực tiếp, bạn gọi {{hotline}}."
)
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


CASES_INTRO = (
    "Thủ tục trên áp dụng cho một trường hợp cụ thể. Nếu trường hợp của bạn khác, bạn vui lòng chọn:"
)


def cases_lead(card: str) -> str:
    """A card's text up to the list of its procedure's other cases."""
    return f"{card}\n\n{CASES_INTRO}"


def with_list(lead: str, items: Sequence[str]) -> str:
    """``lead`` and then ``items`` numbered as their buttons are (suggestions, or a procedure's
    other cases). Channels whose buttons show the items send ``lead`` alone (``Reply.lead``)."""
    return "\n".join([lead, *(f"{i}. {item}" for i, item in enumerate(items, start=1))])


# Conversation texts shared by the chat channels (Telegram, Zalo).
WELCOME = (
    "Xin chào! Tôi là trợ lý tự động trả lời câu hỏi về thủ tục hành chính của {{province_name}}.\n"
    "- Tôi có thể: chỉ bạn cần giấy tờ gì, nộp ở đâu, mất bao lâu, lệ phí, cách nộp trực tuyến.\n"
    "- Tôi không thể: tra cứu hồ sơ riêng của bạn hay nhận hồ sơ thay cơ quan nhà nước."
)
PRIVACY_NOTICE = (
    "Thông báo về dữ liệu cá nhân:\n"
    "- Chúng tôi lưu câu hỏi của bạn (đã che số giấy tờ, số điện thoại, e-mail) và đánh giá của bạn "
    "để cải thiện bộ câu hỏi thường gặp; tài khoản của bạn chỉ được lưu dưới dạng mã ẩn danh.\n"
    "- Dữ liệu được lưu tối đa {{retention_days}} ngày rồi tự động xóa.\n"
    "- Bạn có thể yêu cầu xóa toàn bộ dữ liệu bất cứ lúc nào {{erase_how}}.\n"
    "Căn cứ: Luật Bảo vệ dữ liệu cá nhân 2025.\n"
    "Bạn vui lòng bấm \u201cTôi đồng ý\u201d để bắt đầu hỏi."
)
CONSENT_BUTTON = "✅ Tôi đồng ý"
CONSENT_THANKS = "Cảm ơn bạn! Bạn cứ nhập câu hỏi, ví dụ: \u201cLàm lại căn cước bị mất ở đâu?\u201d"
CONSENT_REQUIRED = "Trước khi trả lời, tôi cần bạn đồng ý với cách chúng tôi xử lý dữ liệu:"
HELP = (
    "Cách dùng:\n"
    "- Nhập câu hỏi bằng tiếng Việt, có dấu hoặc không dấu đều được.\n"
    "- {{cmd_browse}}: xem câu hỏi thường gặp theo lĩnh vực.\n"
    "- {{cmd_contact}}: số điện thoại, địa chỉ và cổng dịch vụ công.\n"
    "- {{cmd_erase}}: xóa dữ liệu của bạn.\n"
    "Sau mỗi câu trả lời, bạn bấm 👍 hoặc 👎 để giúp chúng tôi cải thiện."
)
CONTACT = (
    "Thông tin liên hệ:\n"
    "- {{service_center_name}}: {{service_center_address}}\n"
    "- Đường dây nóng: {{hotline}}\n"
    "- Cổng dịch vụ công của tỉnh: {{provincial_portal_url}}\n"
    "- Cổng Dịch vụ công quốc gia: {{national_portal_url}}"
)
ENTRY_GONE = "Nội dung bạn chọn không còn được cung cấp. Bạn vui lòng nhập lại câu hỏi của mình."
CATEGORIES_TITLE = "Chọn lĩnh vực bạn quan tâm:"
NO_CATEGORIES = "Hiện chưa có câu hỏi nào được công bố."
NON_TEXT = (
    "Xin lỗi, hiện tôi chỉ hỗ trợ câu hỏi bằng chữ. "
    "Bạn vui lòng nhập câu hỏi, ví dụ: \u201cĐăng ký khai sinh cần giấy tờ gì?\u201d"
)
TRUNCATED = "Lưu ý: câu hỏi khá dài nên tôi chỉ đọc {{max_message_chars}} ký tự đầu."
RATE_LIMITED = "Bạn đang gửi hơi nhanh. Bạn vui lòng chờ khoảng một phút rồi hỏi tiếp nhé."
ERROR = (
    "Xin lỗi, hệ thống đang gặp sự cố nên chưa trả lời được. "
    "Bạn vui lòng thử lại sau ít phút hoặc gọi {{hotline}}."
)
FEEDBACK_THANKS = "Cảm ơn bạn đã đánh giá!"
FEEDBACK_ASK_REASON = "Cảm ơn bạn. Câu trả lời chưa đúng ở điểm nào?"
FEEDBACK_ASK_COMMENT = "Bạn có thể nhắn thêm góp ý (không bắt buộc) {{comment_how}}."
FEEDBACK_COMMENT_THANKS = "Cảm ơn góp ý của bạn, cán bộ sẽ xem xét."
FEEDBACK_EXPIRED = "Câu trả lời này không còn nhận đánh giá."
BUTTON_EXPIRED = "Nút này không còn dùng được. Bạn vui lòng nhập lại câu hỏi của mình."
HANDOFF_BUTTON = "📨 Chuyển câu hỏi cho cán bộ"
HANDED_OFF_LABEL = "Đã chuyển cho cán bộ"
HANDOFF_DONE = (
    "Đã chuyển câu hỏi của bạn cho cán bộ. Câu trả lời sẽ được bổ sung vào bộ câu hỏi thường gặp; "
    "tôi không gửi lại kết quả riêng cho bạn. Cần gấp, bạn vui lòng gọi {{hotline}}."
)
ERASE_CONFIRM = (
    "Bạn có chắc muốn xóa toàn bộ câu hỏi, đánh giá và đồng ý của bạn đã lưu? Việc xóa không hoàn tác được."
)
ERASE_YES = "🗑 Xóa dữ liệu"
ERASE_NO = "Không xóa"
ERASE_DONE = "Đã xóa {{count}} câu hỏi cùng đánh giá của bạn. Nếu muốn hỏi tiếp, bạn {{restart_how}}."
ERASE_CANCELLED = "Đã hủy, dữ liệu của bạn được giữ nguyên."
HELPFUL_BUTTON = "👍 Hữu ích"
NOT_HELPFUL_BUTTON = "👎 Chưa đúng"
PORTAL_BUTTON = "🔗 Xem thủ tục trên Cổng DVC"
PREVIOUS_BUTTON = "« Trước"
NEXT_BUTTON = "Sau »"
BACK_BUTTON = "« Các lĩnh vực"
REASON_LABELS = {
    "wrong_question": "Không đúng câu hỏi",
    "missing_info": "Thiếu thông tin",
    "hard_to_understand": "Khó hiểu",
    "outdated": "Thông tin đã cũ",
    "other": "Khác",
}
