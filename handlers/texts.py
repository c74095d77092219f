"""Every sentence Gridline says to a person, in Simplified Chinese, in one place."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.clock import LOCAL_TZ, WEEKDAY_CHARS
from county.models import Category, EventKind, Priority, TicketStatus, WorkerRole
from county.privacy import Title

CATEGORY_NAMES = {
    Category.DISPUTE: "矛盾纠纷",
    Category.HAZARD: "安全隐患",
    Category.WELFARE: "民政/社保福利",
    Category.APPOINTMENT: "预约服务",
    Category.OTHER: "其他",
}
PRIORITY_NAMES = {
    Priority.RED: "红色·紧急",
    Priority.YELLOW: "黄色·较急",
    Priority.GREEN: "绿色·一般",
}
STATUS_NAMES = {
    TicketStatus.AWAITING_SLOT: "等待您选择预约时间",
    TicketStatus.QUEUED: "排队等待网格员",
    TicketStatus.ASSIGNED: "已派单，待网格员接单",
    TicketStatus.CLAIMED: "网格员已接单，处理中",
    TicketStatus.RESOLVED: "已办结",
    TicketStatus.CLOSED: "已办结（已回访）",
    TicketStatus.CANCELLED: "已撤销",
}
ROLE_NAMES = {
    WorkerRole.GRID_WORKER: "网格员",
    WorkerRole.COMMUNITY_OFFICER: "社区值班干部",
    WorkerRole.TOWN_OFFICER: "镇值班干部",
}
SOMEONE_RESIDENT = "居民"  # a resident who has no display name
SOMEONE_WORKER = "其他网格员"
SOMEONE_STAFF = "工作人员"
PREVIOUS_ASSIGNEE = "原负责人"
DUTY_STATE_ON = "值班中"
DUTY_STATE_OFF = "未值班"
NO_GRID_ASSIGNED = "未分配网格"
ONE_WORKING_DAY = "1个工作日"
MINUTES = "{n}分钟"
HOURS = "{n}小时"
RATING_LABELS = {3: "满意", 2: "基本满意", 1: "不满意"}

# Only what is true: the message is stored, but nothing has acted on it yet.
SORRY = (
    "抱歉，系统刚才出了点问题：这条消息已经记录下来，但还没有处理。请过几分钟再发一次；"
    "如有火情、伤病、打架等紧急情况，请直接拨打 119 / 120 / 110。"
)
SORRY_NOT_SAVED = "抱歉，系统暂时无法接收消息，这条消息没有保存成功，请过几分钟再发一次。"
# Telegram's command menu (setMyCommands): (command, description).
BOT_MENU = [
    ("start", "开始 / 选择所在网格"),
    ("help", "使用说明"),
    ("status", "查询办理进度"),
    ("cancel", "取消当前操作或撤销诉求"),
    ("new", "提交新的问题"),
]
WELCOME = (
    "您好，欢迎使用「网格直通车」！\n"
    "有矛盾纠纷、安全隐患、民政社保福利问题，或想预约网格员上门，直接发文字告诉我就行，"
    "我会转给您所在网格的网格员。"
)
ASK_BIND = "请先选择您所在的社区或村（也可以直接发送您的位置，我帮您找最近的网格）："
ASK_BIND_BEFORE_REQUEST = "收到您的消息了。为了交给负责您家的网格员，请先选择您所在的社区或村："
ASK_GRID = "请选择{community}下您所在的网格："
GRIDS_NAMED = "根据您说的地方，可能是下面这些网格（不是的话请选社区）："
ASK_BIND_FROM_PLACE = "好的，请确认您所在的网格："
NEXT_PAGE = "下一页 ▶"
PAGE_PREV = "◀ 上一页"
PAGE_NEXT = "下一页 ▶"
PREV_PAGE = "◀ 上一页"
CHANGE_GRID = "更换网格"
UNKNOWN_PLACE = "这个选项已失效，请重新发送 /start 选择。"
NO_GRIDS = "系统里还没有登记任何网格，请联系社区工作人员。"
NO_GRID_COORDINATES = "暂时无法按位置匹配网格，请从列表中选择："

HELP_RESIDENT = (
    "使用说明：\n"
    "• 直接用文字描述您的问题，例如「幸福小区3栋楼道里有人给电瓶车充电，很危险」\n"
    "• /status 查看我反映的事情办到哪一步了\n"
    "• /cancel 取消当前操作或撤销诉求\n"
    "• /new 结束与网格员的当前对话，提交新的问题\n"
    "• /start 查看或更换所属网格\n"
    "遇到火灾、燃气泄漏、有人受伤等紧急情况，请立即拨打 119 / 120 / 110。"
)
HELP_WORKER = (
    "网格员使用说明：\n"
    "• 新工单以卡片发给您，卡片下的按钮：接单 · 回复 · 转派 · 升级 · 并单 · 办结\n"
    "• 给居民发消息：「回复」（引用）工单卡片或居民的消息，或点卡片上的「回复」再输入；"
    "没有引用时我会先问您发给哪张工单的居民\n"
    "• /mytickets 我的工单  /queue 网格待办（未值班也能看）\n"
    "• /ticket 工单号 —— 卡片和全部经过；工单号可只写末尾几位，如 0012\n"
    "• /claim 工单号 接单  /resolve 工单号 办理结果 —— 也可以直接发「接单 0012」「办结 0012 结果」\n"
    "• /reply 工单号 内容 —— 不用引用也能回复居民\n"
    "• /note 工单号 内容 —— 内部备注，居民看不到\n"
    "• /escalate 工单号 原因 —— 升级给上一级\n"
    "• /transfer 工单号 —— 选择转派到其他网格或同事（也可 /transfer 工单号 网格代码 原因）\n"
    "• /status 我的状态  /today 今天的预约\n"
    "• /onduty 开始值班  /offduty 暂停接单 —— 到您下一个排班节点为止\n"
    "• /cancel 取消正在进行的操作"
)
UNKNOWN_COMMAND = "没有「{command}」这个指令。可用指令：/start /help /status /cancel /new"
UNKNOWN_COMMAND_WORKER = "没有「{command}」这个指令。可用指令：/help /mytickets /queue /ticket /claim /resolve /reply /note /escalate /transfer /status /today /onduty /offduty /cancel"
UNSUPPORTED_KIND = {
    "sticker": "收到您的表情了😊。目前我只能看懂文字，请用文字描述您要反映的事情。",
    "voice": "抱歉，暂时听不了语音。请用文字描述您的问题，网格员会尽快处理。",
    "audio": "抱歉，暂时无法处理音频。请用文字描述您的问题。",
    "video": "视频已收到并保存。请再用文字简单说明一下情况，方便转给网格员。",
    "document": "文件已收到并保存。请用文字说明您要办理或反映的事情。",
    "contact": "联系方式已收到。请用文字说明您要反映的事情。",
    "other": "暂时无法处理这类消息，请用文字描述您的问题。",
}
PHOTO_WITHOUT_CAPTION = "照片已收到并保存。请再用文字说明一下是什么情况、在什么位置。"
EMPTY_TEXT = "消息是空的，请用文字描述您的问题。"
TOO_LONG = (
    "您的消息有 {length} 个字，超过了 {limit} 字的上限，已原样保存但没有提交。"
    "请精简到 {limit} 字以内，说清楚什么事、在哪里、怎么联系您。"
)

CHOOSE_CATEGORY = "我不太确定您反映的是哪类事情，请选一下："
CHOOSE_CATEGORY_AFTER_OUT_OF_SCOPE = (
    "这个问题可能不在网格服务范围内。如果是需要网格员处理的事，请选择类别："
)
NONE_OF_THESE = "都不是"
CATEGORY_CHOSEN = "已选择：{category}"
NONE_CHOSEN = (
    "好的，这条消息不提交为工单。网格服务可以处理矛盾纠纷、安全隐患、民政社保福利和预约上门，"
    "如有需要请直接描述。"
)
CHOICE_EXPIRED = "这个选择已失效，请重新描述您的问题。"
CHOICE_ALREADY_MADE = "这条消息已经处理过了。"
SHARE_IDENTITY_BUTTON = "让网格员看到我的姓名和电话"
IDENTITY_SHARED_TOAST = "已同意"
IDENTITY_SHARED = "好的，处理工单 {number} 的工作人员现在能看到您的姓名和电话（只限这张工单）。"
IDENTITY_ALREADY_SHARED = "您已经同意过了。"
NO_WORDS = "收到～ 有需要网格员帮忙的事，直接用文字告诉我就行。"
ALREADY_SUBMITTED = "这条诉求已经提交过了，工单号 {number}。"

GREETING = "您好！有什么需要网格员帮忙的，直接告诉我就行。发送 /help 查看使用说明。"
THANKS_REPLY = "不客气，有需要随时找我们！"
GOODBYE_REPLY = "好的，再见！有事随时发消息。"
FALLBACK_CHAT = "好的。如需反映问题，请直接描述是什么事、在什么位置。"

EMERGENCY_CALL_NOW = "🚨 情况紧急，请立即拨打 {numbers}！先保证人身安全，远离危险区域。"
EMERGENCY_NOTIFIED = (
    "已生成紧急工单 {number}（{grid}），已通知值班人员：{names}。他们会尽快联系您；"
    "情况危急请不要等待，立即拨打 {numbers}。"
)
EMERGENCY_NOTIFIED_OFF_DUTY = (
    "已生成紧急工单 {number}（{grid}）。现在没有人值班，已同时通知：{names}"
    "（不在班，可能无法马上回复）。请务必立即拨打 {numbers}。"
)
EMERGENCY_NOBODY = (
    "已记录紧急工单 {number}（{grid}），但目前联系不到任何网格员或值班干部，系统没有通知到人。"
    "请务必立即拨打 {numbers}！"
)
ASK_BIND_FOR_EMERGENCY = (
    "为了同时通知您所在网格的工作人员，请选择您所在的社区或村（也可以直接发送位置）："
)
EMERGENCY_CARD_HEADING = "🚨【紧急】居民报告紧急情况，已提示其拨打 {numbers}，请立即处置！"
ESCALATED_AWAY = "工单 {number} 超过 {limit} 未接单，已按规定升级给{role}{name}。"
ESCALATED_HEADING = "⏫【升级工单】{previous}超时未接单，已升级给您。"
ESCALATED_RESIDENT = "您的工单 {number} 已升级，由{role}{name}负责处理。"
RESOLUTION_OVERDUE = (
    "⌛ 工单 {number}（{priority}）已超过 {hours} 小时办结时限，请尽快办结或说明情况。"
)
ACK_REMINDER = "⏰ 工单 {number} 已超时未接单，且暂无更高一级的值班人员可转交，请尽快处理。"
TRANSFERRED_AWAY = "工单 {number} 已转派到「{grid}」，原因：{reason}"
TRANSFERRED_HEADING = "↪️【转派工单】由{grid}转来，原因：{reason}"
TRANSFERRED_RESIDENT = "您的工单 {number} 已转交「{grid}」处理（原因：{reason}）。"
TRANSFER_USAGE = (
    "用法：/transfer 工单号 网格代码 原因，例如 /transfer GL-20261127-0007 CG-XF-02 属于第二网格"
)
TRANSFER_SAME_GRID = "工单 {number} 已经属于「{grid}」，无需转派。"
GRID_NOT_FOUND = "找不到网格 {code}。"
EMERGENCY_HINT = "⚠️ 如有明火、燃气泄漏、有人受伤等紧急情况，请立即拨打 119 / 120 / 110！"
TICKET_ACCEPTED = "✅ 已受理，工单号：{number}\n类别：{category}（{priority}）\n网格：{grid}"
HANDLED_BY = "已派给{role}{name}，会尽快与您联系。"
QUEUED_UNTIL = "当前没有值班人员在线，工单已进入网格待办队列，预计{when} 起处理。"
QUEUED_UNKNOWN = "当前没有值班人员在线，工单已进入网格待办队列，网格员上线后会第一时间处理。"
ACK_HINT = "网格员回复后，您在这里直接回复就能和他对话。查看进度请发送 /status"

STATUS_NONE = "您还没有提交过诉求。直接发文字描述您的问题即可。"
STATUS_HEADER = "您的诉求（进行中的在前）："
STATUS_MORE = "还有 {count} 条，点「下一页」查看。"
STATUS_TICKET_BUTTON = "📋 {number}"
RESIDENT_HISTORY_HEADER = "工单 {number}（{category}）办理记录："
RESIDENT_HISTORY_LINE = "{time} {what}"
RESIDENT_HISTORY = {
    "created": "受理：{body}",
    "routed": "派给{worker}",
    "queued": "暂无人值班，排队等待",
    "claimed": "{worker}接单",
    "worker_message": "{worker}回复：{body}",
    "resident_message": "您补充：{body}",
    "escalated": "超时未接单，升级给{worker}",
    "transferred": "转派到其他网格",
    "resolved": "{worker}办结",
    "rated": "您的评价：{rating}",
    "reopened": "您不满意，重新打开督办",
    "cancelled": "您撤销了诉求",
    "emergency_alert": "紧急情况已通知 {count} 名工作人员",
    "rescheduled": "预约改期",
    "followup_expired": "回访结束（未评价）",
}
STATUS_LINE = "{number}｜{category}｜{status}{handler}\n  {summary}"
STATUS_APPOINTMENT = "  预约时间：{when}"
STATUS_HANDLER = "｜{name}"
WORKER_STATUS_NONE = "您目前没有未办结的工单。"
WORKER_STATUS_HEADER = "您手上未办结的工单（{count}）："
WORKER_DUTY_LINE = "当前状态：{state}"

CANCEL_NOTHING = "当前没有进行中的操作，也没有可撤销的诉求。"
CANCELLED_STEP = "已取消当前操作。"
CANCEL_WHICH = "要撤销哪条诉求？（共 {count} 条进行中）"
CANCEL_BUTTON = "撤销 {number}"
CANCEL_CHOICE = "撤销 {number}（{summary}）"
CANCEL_CONFIRM = "确定要撤销工单 {number} 吗？\n「{summary}」\n撤销后网格员将不再处理。"
CANCEL_CONFIRM_BUTTON = "确认撤销"
CANCEL_KEEP_BUTTON = "不撤销"
CANCEL_KEPT = "好的，工单 {number} 继续处理。"
TICKET_CANCELLED = "工单 {number} 已撤销。"
TICKET_NOT_CANCELLABLE = "工单 {number} 已经{status}，无法撤销。"
TICKET_CANCELLED_FOR_WORKER = "居民已撤销工单 {number}。"

THREAD_FORWARDED = "已转给{name}（工单 {number}）。如果是新的问题，请先发送 /new"
THREAD_WAITING = "已补充到工单 {number}，网格员接单后会看到。"
FOLLOWUP_QUESTION = "您刚反映过工单 {number}（{summary}）。这条消息是对它的补充，还是一个新问题？"
FOLLOWUP_ADD_BUTTON = "补充到 {number}"
FOLLOWUP_NEW_BUTTON = "这是新问题"
FOLLOWUP_ADDED = "好的，已补充到工单 {number}。"
FOLLOWUP_NEW_CHOSEN = "好的，作为新问题处理。"
FOLLOWUP_TICKET_CLOSED = "那张工单已经结束了，这条消息作为新问题处理。"
FOLLOWUP_DECIDED = (
    "您没有选择，这条消息已补充到工单 {number}。如果是新问题，请重新发送并选择「这是新问题」。"
)
CATEGORY_DECIDED = "您没有选择类别，这条消息已作为「其他」类工单转给网格员。"
PHOTO_SAYS = "（照片）"
PIN_SAYS = "📍 位置：{latitude:.5f}, {longitude:.5f}"
LOCATION_IN_CURRENT_GRID = (
    "您发送的位置就在您当前的网格「{grid}」附近。有什么问题直接发文字告诉我就行。"
)
ASK_REBIND = (
    "您发送的位置离「{grid}」最近（约{distance}米），和您现在绑定的网格不同。要改到这个网格吗？"
)
REBIND_BUTTON = "改到{grid}"
KEEP_GRID_BUTTON = "不用，保持原网格"
GRID_KEPT = "好的，仍保持原来的网格。"
NEW_THREAD = "好的，请描述新的问题。"

# Worker side
WORKER_REGISTERED = (
    "{name}，您好！已登记为{role}（{area}）。新工单会发到这里。\n发送 /help 查看使用说明。"
)
WORKER_ALREADY_REGISTERED = "您已经登记为{name}，无需重复登记。"
INVITE_INVALID = "邀请码无效。请核对后重试，或联系社区管理员重新生成邀请码。"
INVITE_EXPIRED = "邀请码已过期，请联系社区管理员重新生成。"
INVITE_USED = "这个邀请码已经被使用过了。如需更换手机，请联系社区管理员重新生成邀请码。"
ACCOUNT_TAKEN = "此账号已登记为网格员{name}，不能再绑定其他网格员。"
WORKER_WELCOME_BACK = "{name}，您好！发送 /status 查看待办工单，/help 查看使用说明。"
NOT_A_WORKER = "您不是登记的网格员，无法进行此操作。网格员请先用社区管理员给的邀请码登记。"
ON_DUTY = "已切换为值班状态，至{until}（之后按排班表）。新工单会推送给您。"
OFF_DUTY = "已暂停接单，至{until}（之后按排班表）。新工单会转给备班或社区值班人员；/queue 仍可查看网格待办。"

DETAIL_WANTED_AT = "期望时间：{when}"
DETAIL_ADDRESS = "地址：{address}"
DETAIL_PHONE = "联系电话：{phone}"
CARD_PHOTO_CAPTION = "📷 工单 {number} 的现场照片"
PHOTO_ON_OTHER_CHANNEL = "（对方发了一张照片，请在网格直通车 Telegram 上查看）"
CONSOLE_PHOTO = "[照片]"
CLAIM_BUTTON = "接单"
RESOLVE_BUTTON = "办结"
CLAIMED_TOAST = "接单成功"
CLAIMED_NOTICE_RESIDENT = "{role}{name}已接单（工单 {number}），会尽快联系您。"
ALREADY_YOURS = "您已经接过这张工单了。"
TAKEN_BY = "这张工单已由{name}接单。"
TICKET_NOT_YOURS = "这张工单不属于您负责的网格，无法操作。"
TICKET_NOT_FOUND = "找不到工单 {number}，请核对工单号。"
RATED = "感谢您的评价！"
RATED_NOTICE = "您反映的事情（工单 {number}）已办结。您的评价：{rating}。感谢您的评价！"
RATING_CLOSED = "这张工单的回访已经结束，不能再评价了。如果问题还在，请直接发消息告诉我。"
SUPERVISION_BY = "{role}{name}"
SUPERVISION_QUEUED = "上级值班人员（现在没有人在线，上线后第一时间处理）"
SUPERVISION_ASK_WHY = (
    "很抱歉没能让您满意。工单 {number} 已重新打开，转给{who}督办。"
    "请直接回复说说哪里不满意，我会一并转给他们。"
)
SUPERVISION_HEADING = "【督办】居民对{previous}办结的结果不满意，请跟进："
SUPERVISION_PREVIOUS = "工单 {number} 的居民对办结结果不满意，已重新打开，转给{who}督办。"
ALREADY_RATED = "您已经评价过了，谢谢！"
RESIDENT_SAYS = "【居民追加 {number}】{name}：\n{text}"
WORKER_SAYS = "【{role}{name}回复 · {number}】\n{text}"
REPLY_USAGE = "用法：/reply 工单号 内容，例如 /reply GL-20261127-0007 明天上午我过来看看"
WORKER_TEXT_HINT = "您手上没有未办结的工单，这条消息没有发给任何居民。查看网格待办请发送 /queue，使用说明请发送 /help"
WORKER_CANCEL = "当前没有进行中的操作。"
PENDING_REQUEST_PROCESSED = "已绑定，正在处理您刚才的消息……"
BOUND_TOAST = "绑定成功"
BOUND = "已绑定到「{grid}」。以后您反映的事情都会交给这里的网格员。"
BOUND_BY_LOCATION = (
    "根据您的位置，已绑定到「{grid}」（约 {distance:.1f} 公里）。如不对，请发送 /start 重新选择。"
)
CURRENT_GRID = "您当前所属网格：{grid}"

# Appointments (错时服务)
APPOINTMENT_CONFIRM = (
    "已登记为工单 {number}。可以为您预约 {when}，网格员会按时上门或在服务点等您。确认预约吗？"
)
APPOINTMENT_CONFIRM_BUTTON = "确认预约"
APPOINTMENT_NONE_BUTTON = "都不合适，请网格员联系我"
APPOINTMENT_TAKEN = (
    "已登记为工单 {number}。{when} 不在服务时段或已约满，离您想要的时间最近的空闲时段："
)
APPOINTMENT_CHOOSE = "已登记为工单 {number}。请选择预约时间（错时服务：工作日晚上和周末也可以约）："
APPOINTMENT_CHOOSE_NEW = "请选择新的预约时间："
APPOINTMENT_OFF_HOURS = "现在是下班时间。如果方便，也可以直接预约网格员上门的时间："
APPOINTMENT_NOT_NEEDED_BUTTON = "不用了"
APPOINTMENT_NOT_NEEDED = "好的，不预约。工单 {number} 会在网格员上班后第一时间处理。"
APPOINTMENT_BOOKED = (
    "📅 预约成功：{when}，由{role}{name}负责（工单 {number}）。前一天和前一小时会提醒您。"
)
APPOINTMENT_BOOKED_TOAST = "预约成功"
APPOINTMENT_RESCHEDULE = "改约"
APPOINTMENT_CANCEL = "取消预约"
APPOINTMENT_ICS = "加入手机日历"
APPOINTMENT_SLOT_GONE = "这个时段刚刚被约满了，请换一个时间。"
APPOINTMENT_SLOT_GONE_CHOOSE = "这个时段刚刚被约满了。还可以选择："
APPOINTMENT_FULL = "近两周的服务时段都已约满，网格员会直接联系您商定时间。"
APPOINTMENT_ALREADY_BOOKED = "这张工单已经预约好了，如需调整请点「改约」。"
APPOINTMENT_ALREADY_CLAIMED = "网格员已经接单，会直接与您商定时间。"
APPOINTMENT_NOT_ACTIVE = "这个预约已经取消或结束了。"
APPOINTMENT_CANCELLED = "预约已取消。"
APPOINTMENT_CANCELLED_WORKER = (
    "居民取消了预约（工单 {number}，原定 {when}），诉求没有撤销，请跟进。"
)
APPOINTMENT_CANCELLED_REQUEST_KEPT = (
    "预约已取消。工单 {number} 仍在处理中；如果这件事也不需要处理了，可以撤销诉求："
)
APPOINTMENT_WORKER_WILL_CALL = "好的，已转给网格员，由网格员与您商定时间。"
APPOINTMENT_CARD_HEADING = "📅【预约】{when}"
APPOINTMENT_MOVED_WORKER = "工单 {number} 的预约改到了 {when}。"
APPOINTMENT_MOVED_AWAY = "工单 {number} 的预约已改期，改由其他同事负责。"
ICS_SUMMARY = "{role}{name}上门服务"
ICS_CAPTION = "预约日历文件，打开即可加入手机日历。"
REMINDER_TOMORROW = (
    "⏰ 提醒：您预约的网格服务在 {when}，由{role}{name}负责。如需改约请点预约消息里的「改约」。"
)
REMINDER_SOON = "⏰ 提醒：您预约的网格服务一小时后开始（{when}），由{role}{name}负责。"
REMINDER_WORKER = "⏰ 预约提醒：{when}，居民{resident}。{note}"
TODAY_NONE = "您今天没有预约。"
TODAY_HEADER = "您今天的预约（{count}）："
TODAY_LINE = "{when}｜{resident}｜{number}\n  {note}"

# Command-line messages for county staff
CLI_NO_TOKEN = (
    "未设置 TELEGRAM_BOT_TOKEN：只启动 HTTP 服务 http://{host}:{port}（/healthz、POST /model/parse）。\n"
    "想在终端里和机器人对话，请另开一个终端运行：.venv/bin/gridline chat"
)
CLI_SERVING = "网格直通车已启动：Telegram 轮询（{base}） + HTTP http://{host}:{port}"
CLI_SEEDED = (
    "已创建演示县：1 个镇、3 个社区/村、5 个网格、6 名工作人员，以及晚间和周末的错时服务时段。"
)
CLI_SEED_SKIPPED = "数据库里已有地区数据，未重复创建演示县。"
CLI_TRAINED = (
    "NLU 模型已训练并启用：{version}（用时 {seconds} 秒；测试集准确率 {accuracy}，宏 F1 {f1}；"
    "置信度阈值 {threshold}，歧义间隔 {margin}）"
)
CLI_NLU_VERSION = "{mark} {version}\t准确率 {accuracy}\t宏F1 {f1}\t数据 {examples}\t{pipeline}"
CLI_NLU_UNKNOWN_VERSION = (
    "找不到模型版本 {version}（或其文件已删除）。用 gridline nlu versions 查看。"
)
CLI_NLU_ACTIVATED = "已启用模型 {version}。重启 gridline serve 后生效。"
CLI_REPORT_WRITTEN = "报告已写入：{paths}"
CLI_IMPORTED = "已导入 {count} 条样例：{source} → {target}"
CLI_EXPORTED = "已导出 {count} 条样例到 {target}"
CLI_GRID_NOT_FOUND = "找不到网格 {code}。用 gridline grid list 查看所有网格。"
CLI_INVITE = "已为{name}（{grid}）生成邀请码，{days} 天内有效。在 Telegram 打开：{link}"
CLI_WORKER_NOT_FOUND = "找不到名为「{name}」的工作人员。"
CLI_WORKER_AMBIGUOUS = "有多名叫「{name}」的工作人员，请用手机号区分：{phones}"
CLI_CHAT_INTRO = "网格直通车 · 终端对话（{who}）。输入 /help 查看说明，按 Ctrl-D 退出。有按钮时输入编号即可选择。"
WINDOW_BAD_INPUT = "参数格式不对：星期用 1-5 或 6,7，日期用 2027-01-01，时间用 HH:MM。"
WINDOW_WEEKDAYS_OR_DATE = "请在 --weekdays 和 --date 中选一个（只能选一个）。"
WINDOW_COMMUNITY_UNKNOWN = "找不到社区/村 {code}。"
WINDOW_WORKER_UNKNOWN = "工作人员「{key}」匹配到 {count} 人，请用唯一的姓名或手机号。"
WINDOW_BAD_TIMES = "结束时间要晚于开始时间（同一天内），且至少容得下一个 {slot} 分钟的时段。"
WINDOW_REFUSED = "无法创建服务时段：{reason}"
WINDOW_UNKNOWN = "找不到服务时段 {id}。"
WINDOW_REMOVED = "服务时段 {id} 已关闭，已有预约不受影响。"
CLI_CALENDAR_WARNING = "⚠️ {warning}"
CLI_FILE_SAVED = "文件已保存：{path}"
CLI_CHAT_AS_WORKER = "网格员 {name}"
CLI_CHAT_AS_RESIDENT = "居民 {name}"
CLI_CHAT_DEFAULT_RESIDENT = "终端居民"
CLI_BOT_USERNAME_HINT = "<你的机器人用户名>"
CLI_WINDOW_DEFAULT_LABEL = "错时服务"
CLI_CHAT_PROMPT = "你> "
CLI_BOT_PREFIX = "网格直通车> "


def shorten(text: str, limit: int | None) -> str:
    """At most `limit` characters, with … when cut; None: the whole text."""
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


def local_time(moment: datetime) -> str:
    return f"{moment.astimezone(LOCAL_TZ):%m月%d日 %H:%M}"


def when_phrase(moment: datetime, now: datetime) -> str:
    """'今天（周五）17:30' or '周一（11月30日）08:30' — how a resident would say it."""
    target = moment.astimezone(LOCAL_TZ)
    today = now.astimezone(LOCAL_TZ).date()
    days = (target.date() - today).days
    clock = f"{target:%H:%M}"
    weekday = f"周{WEEKDAY_CHARS[target.weekday()]}"
    relative = {0: "今天", 1: "明天", 2: "后天"}.get(days)
    if relative is not None:
        return f"{relative}（{weekday}）{clock}"
    return f"{weekday}（{target:%m月%d日}）{clock}"


CLI_WORKER_ON_OTHER_CHANNEL = (
    "{name} 已在 {channel} 上登记。加上 --take-over 可改为在终端接单（原渠道将不再收到工单）。"
)


def time_range(start: datetime, end: datetime | None) -> str:
    """'11月28日（周六）08:00–12:00' or '12月03日（周四）14:00'."""
    first = start.astimezone(LOCAL_TZ)
    text = f"{first:%m月%d日}（周{WEEKDAY_CHARS[first.weekday()]}）{first:%H:%M}"
    if end is not None:
        last = end.astimezone(LOCAL_TZ)
        text += f"–{last:%H:%M}" if last.date() == first.date() else f"–{local_time(last)}"
    return text


# Roster (county staff)
ROSTER_ROW_ERROR = "第{row}行：{problem}"
ROSTER_PROBLEMS = {
    "not_readable": "文件无法读取：请用 UTF-8（带 BOM）或 GBK 编码保存为 CSV。",
    "empty_file": "文件是空的：第1行应为表头，从第2行起每行一条班次或请假/加班安排。",
    "bad_header": "表头应为「{header}」（可从 gridline roster export 导出的文件开始填写）",
    "extra_cells": "只有 7 列，多出了内容「{value}」",
    "no_worker": "请填写工号或手机，或者姓名",
    "phone_scientific": "手机号「{value}」被表格软件改成了科学计数法，请把这一列设为「文本」格式后重新填写",
    "unknown_phone": "找不到手机号为「{phone}」的工作人员",
    "shared_phone": "手机号「{phone}」登记在多名工作人员名下（{names}），请联系管理员更正",
    "name_mismatch": "手机号「{phone}」登记的是「{registered}」，不是「{name}」",
    "unknown_name": "找不到名为「{name}」的工作人员",
    "ambiguous_name": "有多名叫「{name}」的工作人员，请填写手机号区分：{phones}",
    "bad_kind": "类型「{value}」无法识别，应为 每周、请假、加班 或 取消",
    "missing_day": "请填写星期或日期",
    "weekday_expected": "每周班次的「星期或日期」应填 周一 至 周日（没有每周班次填「无」），不是「{value}」；某一天的变动请用 请假 或 加班",
    "date_expected": "{kind}应填具体日期（如 2026-12-01），不是「{value}」",
    "bad_date": "日期「{value}」不是有效日期（如 2026-12-01）",
    "bad_start": "开始时间「{value}」不是有效时间（HH:MM）",
    "bad_end": "结束时间「{value}」不是有效时间（HH:MM，到午夜可写 24:00）",
    "times_required": "{kind}必须填写开始和结束时间",
    "half_times": "请假要么开始、结束时间都填（只请这一段），要么都不填（请全天）",
    "times_not_allowed": "「{kind}」行不用填写开始和结束时间",
    "note_too_long": "备注不能超过 {limit} 个字",
    "duplicate": "与第{other}行重复",
    "none_with_shifts": "同一人既有「每周 无」（第{none_row}行）又有每周班次（第{shift_row}行），请只保留一种",
    "cancel_conflict": "{day} 同一人既有「取消」（第{cancel_row}行）又有请假/加班（第{other_row}行），请只保留一种",
}
ROSTER_NO_PHONE = "未登记"
LIST_SEPARATOR = "、"
ROSTER_ERRORS = "{source} 有 {count} 处错误，没有导入任何内容："
ROSTER_IMPORTED = "已导入 {source}（{rows} 行）：{workers} 人的每周班次有更新，{days} 个「人·日期」的请假/加班安排有更新。"
ROSTER_DRY_RUN = (
    "试运行，未写入任何内容：{source}（{rows} 行）检查通过。正式导入将更新 {workers} 人的每周班次、"
    "{days} 个「人·日期」的请假/加班安排。"
)
ROSTER_EXPORTED = "已导出 {workers} 名在岗工作人员的 {weekly} 条每周班次、{dated} 条今天起的请假/加班安排到 {target}"
ROSTER_FILE_NOT_FOUND = "找不到文件 {path}。"
ROSTER_UNIDENTIFIABLE = "注意：{names} 没有登记手机号且有重名，导入时无法区分，请先补登手机号。"
ROSTER_CALENDAR_GAP = (
    "注意：节假日数据不包含 {years} 年，这些年份暂按周一至周五上班、周六周日休息计算，"
    "法定节假日和调休不会自动生效。请升级 chinesecalendar，或把节假日安排作为请假/加班行导入。"
)


def calendar_gap_warning(years: list[int]) -> str | None:
    """The warning for years whose public holidays are unknown; None when there are none."""
    if not years:
        return None
    return ROSTER_CALENDAR_GAP.format(years=LIST_SEPARATOR.join(str(y) for y in years))


# ---- the worker's day (issue 8) ----
STATUS_NAMES[TicketStatus.MERGED] = "已并入其他工单"
DAYS = "{n}天"
CONSOLE_EDITED = "[已更新]"
BOT_MENU_WORKER = [
    ("mytickets", "我的工单"),
    ("queue", "网格待办（未值班也能看）"),
    ("ticket", "工单卡片和经过：/ticket 0012"),
    ("claim", "接单：/claim 0012"),
    ("resolve", "办结：/resolve 0012 办理结果"),
    ("reply", "回复居民：/reply 0012 内容"),
    ("note", "内部备注：/note 0012 内容"),
    ("escalate", "升级：/escalate 0012 原因"),
    ("transfer", "转派：/transfer 0012"),
    ("status", "我的状态"),
    ("today", "今天的预约"),
    ("onduty", "开始值班"),
    ("offduty", "暂停接单"),
    ("cancel", "取消正在进行的操作"),
    ("help", "使用说明"),
]

# The card
PRIORITY_EMOJI = {Priority.RED: "🔴", Priority.YELLOW: "🟡", Priority.GREEN: "🟢"}
CARD_TITLE = "【新工单】{number} {emoji} {category}（{priority}）"
CARD_EMERGENCY = "🚨 紧急情况，已提示居民拨打急救/报警电话"
CARD_WORDS = "「{words}」"
CARD_WORDS_LIMIT = 300
CARD_RESIDENT = "👤 {name}"
CARD_RESIDENT_PHONE = "👤 {name} · {phone}"
CARD_PHOTO_NOTE = "📷 附现场照片（见上一条消息）"
CARD_LOCATION = "📍 位置：{latitude:.5f}, {longitude:.5f}"
CARD_GRID = "网格：{grid}"
CARD_AGE = "🕒 {time} 提交 · {ago}"
CARD_ACK_DUE = "⏰ 请于{when}前接单（还剩{left}）"
CARD_ACK_OVERDUE = "⏰ 接单已超时{late}（时限{when}）"
CARD_RESOLVE_DUE = "⏰ 请于{when}前办结（还剩{left}）"
CARD_RESOLVE_OVERDUE = "⏰ 办结已超时{late}（时限{when}）"
CARD_STATE_QUEUED = "⏳ 排队中，还没有人接单"
CARD_STATE_ASSIGNED_YOU = "📌 已派给您，请接单"
CARD_STATE_ASSIGNED_OTHER = "📌 已派给{name}，待接单"
CARD_STATE_CLAIMED_YOU = "✅ 您已接单，处理中"
CARD_STATE_CLAIMED_OTHER = "✅ {name} 已接单"
CARD_STATE_RESOLVED_BY = "☑️ {name} 已办结"
CARD_STATE_CANCELLED = "✖️ 居民已撤销"
CARD_STATE_MERGED = "🔗 已并入 {number}"
CARD_STATE_ELSEWHERE = "↪️ 由「{grid}」负责，无需您处理"
CARD_REPLY_HINT = "直接回复本消息即可回复居民。"
REPLY_BUTTON = "回复"
TRANSFER_BUTTON = "转派"
ESCALATE_BUTTON = "升级"
MERGE_BUTTON = "并单"
TITLE_NAMES = {
    Title.MS: "{surname}女士",
    Title.MR: "{surname}先生",
    Title.EITHER: "{surname}先生/女士",
    Title.NONE: "居民",
}

# Duty
DUTY_UNTIL = "{state}（至{until}）"
HANDED_OVER_RESIDENT = "您的工单 {numbers} 已派给{role}{name}，会尽快与您联系。"
HANDED_OVER_RESIDENT_MANY = "您的工单已派出，会尽快有人与您联系：\n{lines}"
HANDED_OVER_LINE = "{number} → {role}{name}"
QUEUE_HANDED_OVER = "网格待办中有 {count} 张工单已派给您，卡片在上面。"
WORKER_QUEUE_LINE = "网格待办：{count} 张 —— /queue"

# Lists: /mytickets, /queue, choosing a ticket
MY_EMPTY = "📋 您手上没有未办结的工单。发送 /queue 查看网格待办。"
MY_HEADER = "📋 我的工单（共 {count} 张 · 第 {page}/{pages} 页）"
MY_SECTIONS = {
    TicketStatus.ASSIGNED: "【待接单】",
    TicketStatus.CLAIMED: "【处理中】",
    TicketStatus.AWAITING_SLOT: "【等居民选预约时间】",
    TicketStatus.QUEUED: "【排队中】",
}
LIST_LINE = "{emoji} {number}｜{category}｜{who}｜{ago}\n  {words}"
LIST_WORDS_LIMIT = 30
OPEN_BUTTON = "📄 {tail}"
QUEUE_EMPTY = "📥 您负责的网格目前没有待接单的工单。"
QUEUE_HEADER = "📥 网格待办（{count} 张，排队中或已派单未接单，紧急的在前）："
QUEUE_OFF_DUTY = "您现在不在班；接单后这张工单就由您负责。"
QUEUE_STATE_QUEUED = "排队中"
QUEUE_STATE_ASSIGNED = "已派给{name}"
QUEUE_MORE = "……还有 {count} 张没有列出。"
QUEUE_CLAIM_BUTTON = "接单 {tail}"
QUEUE_SHOWN = 8
WHICH_TICKET = "「{query}」对应多张工单，请选择："
WHICH_TICKET_BUTTON = "{number} · {who} · {words}"
NUMBER_INVALID = "「{query}」不是工单号。工单号形如 GL-20261127-0012，也可以只写末尾的 0012。"
CLAIM_WHICH = "要接哪张工单？"
NOTHING_TO_CLAIM = "您负责的网格没有待接单的工单。"
RESOLVE_WHICH = "要办结哪张工单？"
NOTHING_TO_RESOLVE = "您没有处理中的工单。"
TRANSFER_WHICH = "要转派哪张工单？"
ALREADY_DONE = "这条指令已经执行过了。"
PICKED = "已选择 {number}。"
CLAIMED_RECEIPT = "✅ 已接单 {number}，卡片在下面。"
CLAIMED_RECEIPT_CARD_UPDATED = "✅ 已接单 {number}，您手上那张卡片已更新。"

# /ticket and its history
HISTORY_HEADER = "🗂 {number} 的经过（共 {count} 条）："
HISTORY_MORE = "……较早的 {count} 条略"
HISTORY_LINE = "{time}  {text}"
HISTORY_SYSTEM = "系统"
HISTORY_BODY_LIMIT = 120
HISTORY = {
    EventKind.CREATED: "{resident}反映：{body}",
    EventKind.ROUTED: "派给{worker}",
    EventKind.QUEUED: "无人在班，进入网格待办队列",
    EventKind.CLAIMED: "{actor}接单",
    EventKind.RESIDENT_MESSAGE: "{resident}：{body}",
    EventKind.WORKER_MESSAGE: "{actor}回复居民：{body}",
    EventKind.RESOLVED: "{actor}办结：{body}",
    EventKind.CANCELLED: "居民撤销了诉求",
    EventKind.RATED: "居民评价：{rating}",
    EventKind.ESCALATED: "超时未接单，升级给{worker}",
    EventKind.ESCALATION_EXHAUSTED: "超时未接单，暂无上一级在班可升级",
    EventKind.EMERGENCY_ALERT: "紧急情况，已通知{count}名值班人员",
    EventKind.TRANSFERRED: "{actor}转派到「{grid}」，原因：{reason}",
    EventKind.RESCHEDULED: "居民改了预约时间",
    EventKind.RESOLUTION_OVERDUE: "超过办结时限",
    EventKind.NOTE: "📝 {actor}备注：{body}",
    EventKind.MERGED: "{actor}把本单并入 {number}",
    EventKind.MERGE_RECEIVED: "{actor}把 {number} 并入本单：{body}",
}
HISTORY_RESOLVED_PLAIN = "{actor}办结"
HISTORY_ESCALATED_MANUAL = "{actor}申请升级给{worker}，原因：{reason}"
HISTORY_TRANSFERRED_TO_WORKER = "{actor}转给{worker}，原因：{reason}"
HISTORY_UNKNOWN = "（{kind}）"

# 回复 and free text
REPLY_PROMPT = "✍️ 请输入要发给居民（{who}，工单 {number}）的话。10 分钟内有效，发送 /cancel 取消。"
REPLY_PROMPT_TOAST = "请输入要发给居民的话"
ASK_WHICH_RESIDENT = "这条消息要发给哪张工单的居民？选好我再转过去（没有引用卡片，我不替您猜）："
SEND_TO_BUTTON = "发给 {tail} · {who}"
DONT_SEND_BUTTON = "不发送"
NOT_SENT = "好的，这条消息没有发出。"
SENT_TO = "已发给工单 {number} 的居民（{who}）。"
ALREADY_SENT = "这条消息已经发出过了。"
PROMPT_CANCELLED = "已取消。"
TICKET_MERGED = "这张工单已并入 {number}，请在 {number} 上操作。"
TICKET_NOW_CLOSED = "这张工单{status}，无需再操作。"

# 办结
RESOLVE_PROMPT = "☑️ 办结 {number}：请用一句话写下办理结果（会发给居民），或选一个常用结果："
RESOLVE_PROMPT_TOAST = "请写下办理结果"
RESOLVE_RESULTS = ("已到现场处理完毕", "已协调相关部门解决", "已电话答复居民")
RESOLVED_DONE = "☑️ 已办结 {number}，办理结果已发给居民并请他评价：{result}"
RESOLVED_RESULT_RESIDENT = (
    "您反映的事情（工单 {number}）已办结。\n办理结果：{result}\n请为这次服务打个分，帮助我们改进："
)
RESOLVED_MERGED_RESIDENT = (
    "您反映的问题（工单 {duplicate}，已并入 {number}）已办结。\n办理结果：{result}"
)

# /note
NOTE_USAGE = (
    "用法：/note 工单号 备注内容，例如 /note 0012 居民白天不在家，晚上再去（仅工作人员可见）"
)
NOTE_SAVED = "📝 已记下备注（工单 {number}），只有工作人员能看到。"
TICKET_USAGE = "用法：/ticket 工单号，例如 /ticket 0012（可只写末尾几位）"
TICKET_NOT_VISIBLE = "这张工单不在您负责的范围内，无法查看。"

# 升级
ESCALATE_PROMPT = "⏫ 升级 {number}：请输入升级原因，或选一个常用原因："
ESCALATE_PROMPT_TOAST = "请写下升级原因"
ESCALATE_REASONS = ("超出网格处置能力", "需要社区协调多方", "情况紧急需上级到场")
ESCALATE_USAGE = "用法：/escalate 工单号 原因，例如 /escalate 0012 需要社区协调多方"
ESCALATE_TOP = "工单 {number} 已在镇一级，无法再升级。请直接电话联系镇值班干部。"
ESCALATE_NOBODY = (
    "上一级暂时无人在班（预计{when}起有人），工单 {number} 未升级。情况紧急请直接电话联系。"
)
ESCALATE_NOBODY_UNKNOWN = "上一级暂时无人在班，工单 {number} 未升级。情况紧急请直接电话联系。"
ESCALATED_MANUAL_HEADING = "⏫【升级工单】{role}{name}申请升级，原因：{reason}"
ESCALATED_MANUAL_AWAY = "⏫ 工单 {number} 已升级给{role}{name}，原因：{reason}"

# 转派
TRANSFER_PICK = "↪️ 把 {number} 转派给：（本社区其他网格，或同网格的同事）"
TRANSFER_GRID_BUTTON = "→ {grid}"
TRANSFER_WORKER_BUTTON = "👤 {role}{name}"
TRANSFER_NO_TARGETS = (
    "没有可以转派的网格或同事。要转到其他社区，请用 /transfer 工单号 网格代码 原因"
)
TRANSFER_REASON_PROMPT = "↪️ 转派 {number} 给「{target}」：请输入原因，或选一个常用原因："
TRANSFER_REASONS = ("地址不在本网格", "属于对方职责范围", "请同事协助处理")
TRANSFERRED_TO_YOU = "↪️【转派工单】{name}转给您，原因：{reason}"
TRANSFERRED_AWAY_TO = "↪️ 工单 {number} 已转给{role}{name}，原因：{reason}"
TRANSFERRED_RESIDENT_TO = "您的工单 {number} 已转由{role}{name}处理。"
TRANSFER_SAME_WORKER = "工单 {number} 已经在{name}手上了。"

# 并单
MERGE_PICK = "🔗 {number} 和哪张工单是同一件事？选中的那张继续办理，{number} 并入它："
MERGE_TARGET_BUTTON = "并入 {tail} · {who} · {words}"
MERGE_NO_CANDIDATES = "没有可以并入的未办结工单（同网格或同一居民的）。"
MERGE_UNRELATED = "只能并入同一网格或同一居民的工单。"
MERGE_SAME = "不能把工单并入它自己。"
MERGED_DONE = "🔗 已把 {duplicate} 并入 {kept}，两张卡片都已更新。"
MERGED_TOAST = "已并单"
MERGED_RESIDENT = (
    "您反映的问题（工单 {duplicate}）与工单 {kept} 是同一件事，已合并到 {kept} 一起办理。"
)
MERGED_RESIDENT_KEPT = "您的工单 {kept} 有其他居民反映了同样的问题（{duplicate}），已合并一起办理。"

# Time limits, told to whoever is on duty
RESOLUTION_OVERDUE_COVER = "⌛ 工单 {number}（{priority}）已超过 {hours} 小时办结时限，负责人{name}不在班，请督办或接手处理。"


def duration(span: timedelta) -> str:
    """'15分钟', '3小时', '2天' — rounded down, never below a minute."""
    minutes = max(int(span.total_seconds() // 60), 1)
    if minutes < 60:
        return MINUTES.format(n=minutes)
    if minutes < 48 * 60:
        return HOURS.format(n=minutes // 60)
    return DAYS.format(n=minutes // (24 * 60))


def ago(moment: datetime, now: datetime) -> str:
    """'刚刚', '25分钟前', '3小时前', '2天前'."""
    if now - moment < timedelta(minutes=1):
        return "刚刚"
    return duration(now - moment) + "前"


def short_when(moment: datetime, now: datetime) -> str:
    """'今天17:30', '明天08:30', '11月30日（周一）08:30' — a deadline on a phone (past
    tomorrow the date, since 后天 is easily misread at 03:00)."""
    target = moment.astimezone(LOCAL_TZ)
    days = (target.date() - now.astimezone(LOCAL_TZ).date()).days
    relative = {0: "今天", 1: "明天"}.get(days)
    if relative is not None:
        return f"{relative}{target:%H:%M}"
    return f"{target:%m月%d日}（周{WEEKDAY_CHARS[target.weekday()]}）{target:%H:%M}"


def short_number(number: str, now: datetime) -> str:
    """GL-20261127-0012 as a worker types it: 0012 on its own day, 1127-0012 after (the
    counter starts again every day)."""
    _, day, sequence = number.split("-")
    today = f"{now.astimezone(LOCAL_TZ):%Y%m%d}"
    return sequence if day == today else f"{day[4:]}-{sequence}"
