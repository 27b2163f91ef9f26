"""Operator tools: canned replies, phone-call intake and the complaint's 'when' and 'office'.

- canned_replies: reply templates supervisors keep, with placeholders ({ma_phan_anh}, {han}, {tong_dai}).
- tickets.citizen_name: the caller's name on a phone-call ticket (removed by retention).
- tickets.occurred / tickets.office: when and at which office it happened, as the citizen said it.
- outbox_messages.buttons: quick replies sent with a message (the 1–5 rating).

Revision ID: 0006_operator_tools
Revises: 0005_zalo
Create Date: 2026-12-01
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0006_operator_tools"
down_revision = "0005_zalo"
branch_labels = None
depends_on = None


canned = sa.table(
    "canned_replies", sa.column("title", sa.String), sa.column("body", sa.Text), sa.column("active", sa.Boolean),
    sa.column("updated_by", sa.String), sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime),
)
DEFAULT_REPLIES = [
    ("Đã tiếp nhận, đang xác minh",
     "Tổng đài đã tiếp nhận phản ánh {ma_phan_anh} và đang xác minh với cơ quan liên quan. "
     "Chúng tôi sẽ trả lời bạn chậm nhất trước {han}."),
    ("Cần bổ sung thông tin",
     "Để xử lý phản ánh {ma_phan_anh}, bạn vui lòng cho biết thêm: tên thủ tục, mã hồ sơ (nếu có) "
     "và ngày bạn đến nộp. Bạn có thể trả lời ngay trong cuộc trò chuyện này."),
    ("Không được từ chối hồ sơ vì sắp xếp đơn vị hành chính",
     "Theo chỉ đạo của Chính phủ, cơ quan tiếp nhận không được từ chối hồ sơ với lý do đang sắp xếp đơn vị "
     "hành chính. Tổng đài đã chuyển phản ánh {ma_phan_anh} tới UBND xã/phường để tiếp nhận hồ sơ của bạn."),
    ("Gọi tổng đài",
     "Nếu cần trao đổi trực tiếp, bạn gọi tổng đài {tong_dai} trong giờ hành chính và đọc mã {ma_phan_anh}."),
]


def upgrade() -> None:
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("updated_by", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_replies")),
    )
    # A few answers every centre gives, so the list is useful on day one (supervisors edit them).
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(canned, [
        {"title": title, "body": body, "active": True, "updated_by": None, "created_at": now, "updated_at": now}
        for title, body in DEFAULT_REPLIES
    ])
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("citizen_name", sa.String(128), nullable=True))
        batch.add_column(sa.Column("occurred", sa.String(120), nullable=True))
        batch.add_column(sa.Column("office", sa.String(200), nullable=True))
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("buttons", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("buttons")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("office")
        batch.drop_column("occurred")
        batch.drop_column("citizen_name")
    op.drop_table("canned_replies")
