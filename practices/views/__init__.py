"""Pages: parse (a form or the filters), call one queryset or service, render or redirect.

One module per page family, each short enough to read in one sitting:

- ``browse``: the list and search, one focus area or tag, the focus areas, my practices
- ``detail``: one practice's page and its files
- ``similar``: similar practices as JSON, for the panel beside the writing form
- ``writing``: create, edit, preview, status changes, attachments
- ``reuse``: adoptions
- ``contracts``: cooperative contracts others can buy from, and their documents
- ``comments``: the discussion under a practice
- ``moderation``: reports, the moderation queue, hiding and restoring, focus areas
- ``access``: who may see a practice (shared by the families above)

The feeds (``practices.feeds``) and the JSON API (``practices.api``) have their own modules, and
the reads that are more than a chain of QuerySet methods live in ``practices.selectors``.
Every view stays importable as ``practices.views.<name>``, as ``practices.urls`` uses them.
"""

from .browse import PAGE_SIZE, browse, focus_area, focus_area_index, my_practices, practice_list, tag_detail
from .comments import comment_create, comment_delete, comment_edit
from .contracts import contract_create, contract_delete, contract_document, contract_edit
from .detail import attachment_download, practice_detail
from .moderation import (
    focus_area_create,
    focus_area_edit,
    moderation_hide,
    moderation_queue,
    moderation_resolve,
    moderation_restore,
    report_comment,
    report_practice,
)
from .reuse import adopt, adoption_confirm, adoption_confirm_link, adoption_file, adoption_withdraw
from .similar import similar_json
from .writing import (
    STATUS_ACTIONS,
    attachment_delete,
    practice_create,
    practice_edit,
    practice_status,
    preview_markdown,
)

__all__ = [
    "PAGE_SIZE",
    "STATUS_ACTIONS",
    "adopt",
    "adoption_confirm",
    "adoption_confirm_link",
    "adoption_file",
    "adoption_withdraw",
    "attachment_delete",
    "attachment_download",
    "browse",
    "comment_create",
    "comment_delete",
    "comment_edit",
    "contract_create",
    "contract_delete",
    "contract_document",
    "contract_edit",
    "focus_area",
    "focus_area_create",
    "focus_area_edit",
    "focus_area_index",
    "moderation_hide",
    "moderation_queue",
    "moderation_resolve",
    "moderation_restore",
    "my_practices",
    "practice_create",
    "practice_detail",
    "practice_edit",
    "practice_list",
    "practice_status",
    "preview_markdown",
    "report_comment",
    "report_practice",
    "similar_json",
    "tag_detail",
]
