"""The roles of DESIGN.md. Codes are stored in the database; labels are what people read."""
import enum

from flask_babel import lazy_gettext as _l


class Role(str, enum.Enum):
    ADMIN = "admin"
    OFFICE = "office"
    LEADER = "leader"
    REVIEWER = "reviewer"
    SECTION_STAFF = "section_staff"
    FINANCE = "finance"

    @property
    def label(self):
        return ROLE_LABELS[self]

    @property
    def description(self):
        return ROLE_DESCRIPTIONS[self]


ROLE_LABELS = {
    Role.ADMIN: _l("管理员"),
    Role.OFFICE: _l("评价办公室"),
    Role.LEADER: _l("组长"),
    Role.REVIEWER: _l("复核人（副组长/成员）"),
    Role.SECTION_STAFF: _l("科室经办人"),
    Role.FINANCE: _l("财政局（只读）"),
}

ROLE_DESCRIPTIONS = {
    Role.ADMIN: _l("管理用户、科室和系统设置"),
    Role.OFFICE: _l("制定方案、阶段、项目和会议，督促进度，汇总报送财政局"),
    Role.LEADER: _l("审批或退回复核后的自评，签发报送"),
    Role.REVIEWER: _l("复核科室提交的自评，提出意见，通过或退回"),
    Role.SECTION_STAFF: _l("填报并提交本科室项目的绩效自评"),
    Role.FINANCE: _l("查阅报送的评价材料"),
}

ALL_ROLES = tuple(Role)
