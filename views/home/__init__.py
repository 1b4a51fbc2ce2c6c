"""Everyone's pages: home with "my work", notices, change my password."""

from core.permissions import Action
from core.registry import PageSpec

PAGES = [
    PageSpec("views/home/home.py", "首页", ":material/home:", "我的工作", Action.HOME_VIEW, order=0, default=True),
    PageSpec("views/home/notices.py", "通知与通报", ":material/notifications:", "我的工作", Action.NOTICE_VIEW_OWN, order=1),
    PageSpec("views/home/password.py", "修改密码", ":material/key:", "我的工作", Action.PASSWORD_CHANGE_OWN, order=2),
]
