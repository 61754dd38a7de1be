"""Chinese for every form-field msgid in :data:`core.catalog.fields.MESSAGES`.

A reference for the translator until these move into
``core/locale/zh_CN/LC_MESSAGES/messages.po``; a test keeps the two lists
and their ``%(name)s`` placeholders in step. Nothing imports this at run time.
"""

from __future__ import annotations

ZH_CN_REFERENCE: dict[str, str] = {
    "This field is required": "此项为必填项",
    "This value is not in the expected format": "此项的格式不正确",
    "Ensure this value has at most %(max)s characters (it has %(length)s)": "此项最多 %(max)s 个字（当前 %(length)s 个）",
    "Ensure this value has at least %(min)s characters (it has %(length)s)": "此项至少 %(min)s 个字（当前 %(length)s 个）",
    "Remove control characters from this value": "请删除此项中的控制字符",
    "Remove invisible or text-direction characters from this value": "请删除此项中的不可见字符或文字方向控制字符",
    "Enter a number": "请输入数字",
    "Enter a whole number": "请输入整数",
    "Enter a number with at most %(decimals)s decimal places": "请输入最多 %(decimals)s 位小数的数字",
    "This number is too large": "数值过大",
    "Ensure this value is at least %(min)s": "此项不能小于 %(min)s",
    "Ensure this value is at most %(max)s": "此项不能大于 %(max)s",
    "Enter an amount in yuan, e.g. 1234.50": "请输入以元为单位的金额，例如 1234.50",
    "Enter an amount with at most two decimal places": "金额最多保留两位小数",
    "The amount cannot be negative": "金额不能为负数",
    "Enter a valid date as YYYY-MM-DD": "请按“年-月-日”（如 2024-01-31）输入有效日期",
    "Enter a date on or after %(min)s": "日期不能早于 %(min)s",
    "Enter a date on or before %(max)s": "日期不能晚于 %(max)s",
    "The date cannot be in the future": "日期不能晚于今天",
    "The date cannot be in the past": "日期不能早于今天",
    "Select a valid choice": "请从列表中选择",
    "The minimum number of selections is %(min)s": "请至少选择 %(min)s 项",
    "The maximum number of selections is %(max)s": "最多只能选择 %(max)s 项",
    "Enter a valid 18-digit ID card number": "请输入有效的 18 位公民身份号码",
    "The check digit of this ID card number is wrong": "公民身份号码校验位不正确，请核对",
    "The birth date in this ID card number is not possible": "公民身份号码中的出生日期不正确",
    "The region code of this ID card number does not exist": "公民身份号码中的地址码不存在",
    "Enter a valid mainland mobile number, e.g. 13800138000": "请输入有效的手机号码，例如 13800138000",
    "Enter a valid 18-character unified social credit code": "请输入有效的 18 位统一社会信用代码",
    "The check character of this unified social credit code is wrong": "统一社会信用代码校验码不正确，请核对",
    "Select a place from the list": "请从列表中选择地点",
    "This place is not in the list of known places": "所选地点不在本系统的区划列表中",
    "The file reference is not valid": "文件引用无效",
    "The uploaded file could not be found; please upload it again": "找不到已上传的文件，请重新上传",
    "This type of file is not accepted; accepted types: %(accept)s": "不接受此类型的文件；可接受的类型：%(accept)s",
    "The file is too large; the limit is %(max)s": "文件过大，上限为 %(max)s",
    "The file is empty": "文件内容为空",
    "This file name is not allowed; rename the file and upload it again": "文件名不符合要求，请重命名后重新上传",
    "The minimum number of entries is %(min)s": "请至少填写 %(min)s 条",
    "The maximum number of entries is %(max)s": "最多只能填写 %(max)s 条",
    "This entry is not valid": "此条记录无效",
    "This value could not be computed": "此项无法自动计算",
    "This value could not be checked; please try again later": "此项暂时无法校验，请稍后重试",
    "The submission could not be read": "提交的数据无法识别",
}
