"""What the channel front ends say on their own (web widget, Telegram, Zalo), vi and en side by side.

Everything else a citizen reads comes from the assistant (Rasa responses and the capability
catalogues: `procedure_kb.messages`, `procedure_kb.address_messages`, `hotline.tickets.messages`,
`hotline.dossiers.messages`). These are the few texts a front end sends without asking the
assistant: the greeting, "busy", input problems, how to pick a choice. Language policy:
`procedure_kb.i18n`. The hotline number is a placeholder, filled from settings.
"""

from __future__ import annotations

from procedure_kb.i18n import Text

BUSY: Text = (
    "Xin lỗi, hệ thống đang bận nên chưa trả lời được. Bạn vui lòng nhắn lại sau ít phút hoặc gọi tổng đài {phone}.",
    "Sorry, the system is busy and cannot answer right now. Please write again in a few minutes "
    "or call the hotline {phone}.",
)
EMPTY_REPLY: Text = (
    "Tôi chưa nhận được nội dung nào. Bạn hãy gõ câu hỏi, ví dụ: \"làm lại căn cước bị mất\".",
    "I did not receive any text. Please type your question, e.g. \"replace a lost ID card\".",
)
TRUNCATED: Text = (
    "Tin nhắn của bạn khá dài nên tôi chỉ đọc {limit} ký tự đầu tiên.",
    "Your message was long, so I read only its first {limit} characters.",
)
TEXT_ONLY: Text = ("Hiện tôi chỉ đọc được tin nhắn chữ. Bạn hãy gõ câu hỏi nhé.",
                   "I can only read text messages for now. Please type your question.")
CHOOSE: Text = ("Bạn chọn một mục:", "Please choose:")
ANSWER_BY_NUMBER: Text = ("(Trả lời bằng số thứ tự để chọn.)", "(Reply with a number to choose.)")

# The web widget's refusals of a malformed request (shown by the widget script).
BAD_REQUEST: Text = ("Yêu cầu không hợp lệ.", "Invalid request.")
BAD_SESSION: Text = ("Phiên trò chuyện không hợp lệ.", "Invalid chat session.")
EMPTY_MESSAGE: Text = ("Tin nhắn trống.", "Empty message.")

# The greeting of the messengers (answered by the bridge itself: it works even when Rasa is slow).
_WELCOME_HEAD = (
    "Xin chào! Tôi là trợ lý hỗ trợ thủ tục hành chính sau sắp xếp đơn vị hành chính "
    "(chính quyền hai cấp từ 1/7/2025). Tôi có thể:\n"
    "• Hướng dẫn thủ tục: giấy tờ, các bước, thời hạn, lệ phí, nơi nộp hiện nay.\n"
    "• Cho biết địa chỉ cũ nay thuộc xã/phường, tỉnh nào.\n"
)
_WELCOME_TAIL = "Bạn cứ nhắn câu hỏi, có dấu hay không dấu đều được."
WELCOME = _WELCOME_HEAD + "• Tra cứu tình trạng hồ sơ.\n• Gửi phản ánh, kiến nghị.\n" + _WELCOME_TAIL
# Telegram has commands, so its greeting names them.
WELCOME_WITH_COMMANDS = (
    _WELCOME_HEAD + "• Tra cứu hồ sơ: /tracuu <mã hồ sơ>\n• Gửi phản ánh, kiến nghị: /phananh\n"
    "• Hủy việc đang làm dở: /huy · Trợ giúp: /help\n" + _WELCOME_TAIL
)

# Telegram's command menu beside the text box: (command, what it does).
TELEGRAM_COMMANDS = [
    ("start", "Bắt đầu / giới thiệu"),
    ("help", "Tôi có thể giúp gì"),
    ("tracuu", "Tra cứu hồ sơ: /tracuu <mã hồ sơ>"),
    ("phananh", "Gửi phản ánh, kiến nghị"),
    ("huy", "Hủy việc đang làm dở"),
]

# Quick starts under the greeting (the same wording as the assistant's own menu).
START_BUTTONS = [
    {"title": "Thủ tục làm căn cước", "payload": "thủ tục làm căn cước công dân"},
    {"title": "Địa chỉ cũ nay thuộc đâu", "payload": "địa chỉ cũ của tôi nay thuộc phường nào"},
    {"title": "Tra cứu hồ sơ", "payload": "tra cứu tình trạng hồ sơ"},
    {"title": "Gửi phản ánh", "payload": "tôi muốn gửi phản ánh"},
]
