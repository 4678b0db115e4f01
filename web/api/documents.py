"""API: upload a file for a form's file field; the answer is the reference the task's data then carries."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields

from engine.access import is_staff
from engine.documents.service import Upload
from casework.archive_documents import archive_of_instance
from engine.errors import Forbidden, InvalidInput, N_, NotFound
from forms.documents import ACCEPTED_TYPES, DOCUMENT_FORMAT, MAX_DOCUMENT_BYTES, references_in

from ..documents import download
from .auth import authenticate_request
from .common import visible_instance
from .context import caller, casedesk
from .errors import install_error_handlers

blp = install_error_handlers(Blueprint("api_documents", __name__, description="Documents attached to forms"))
blp.before_request(authenticate_request)
# A case's files, beside the case: mounted under /instances.
case_blp = install_error_handlers(Blueprint("api_case_documents", __name__, description="Documents of a case"))
case_blp.before_request(authenticate_request)


class DocumentUploadSchema(ma.Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": "the file; its type is read from its content"})


class DocumentReferenceSchema(ma.Schema):
    sha256 = fields.String(required=True, metadata={"description": "SHA-256 of the content, hex"})
    name = fields.String(required=True, metadata={"description": "the file's name, without folders"})
    size = fields.Integer(required=True, metadata={"description": "bytes"})
    media_type = fields.String(required=True, metadata={"description": "the type read from the content",
                                                        "enum": list(ACCEPTED_TYPES)})


@blp.route("", methods=["POST"])
@blp.doc(operationId="uploadDocument", description=(
    f"Upload one file (multipart/form-data, part `file`) before completing the task whose form has a file field "
    f"(a property with `\"format\": \"{DOCUMENT_FORMAT}\"`, or an array of them). The content is stored once by "
    f"SHA-256; the answer is the reference to put in the task's data as the field's value "
    f"(`POST /tasks/{{id}}/complete`), where it is recorded in the instance's event log. The type is read from the "
    f"content ({', '.join(ACCEPTED_TYPES)}) and must agree with the file's name; at most {MAX_DOCUMENT_BYTES} bytes. "
    f"413 when larger, 415 when of another type, nothing stored. The field's own limits (`x-casedesk-accept`, "
    f"`x-casedesk-max-size`) are checked when the task is completed (422 naming the field). Staff only: "
    f"those who work tasks."))
@blp.arguments(DocumentUploadSchema(), location="files")
@blp.response(201, DocumentReferenceSchema)
def upload_document(upload: dict[str, Any]) -> dict[str, Any]:
    if not is_staff(caller()):
        raise Forbidden(N_("only staff, who work tasks, upload files for them"))
    part = upload["file"]
    if not getattr(part, "filename", None):
        raise InvalidInput(N_("`file` must be a file with a name"), {"file": ["not a file"]})
    (reference,) = casedesk().documents.store([Upload("file", part.filename, part.read())], caller().username)
    return reference



@case_blp.route("/<instance_id>/documents/<sha256>", methods=["GET"])
@case_blp.doc(operationId="getCaseDocument", description=(
    "The content of a file the case holds, as an attachment, for those who may see the case; 404 for content the "
    "case does not hold. Once the case's archive is complete (R-6.1) the file is read only through the archive "
    "guard, under an approved borrowing (R-6.4): 403 here."), responses={"200": {
        "description": "the file", "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                        "format": "binary"}}}}})
def get_case_document(instance_id: str, sha256: str) -> Any:
    detail = visible_instance(instance_id)
    held = next((ref for _name, ref in references_in(detail.data) if ref["sha256"] == sha256), None)
    if held is None:
        raise NotFound(N_("case %(instance)s holds no document %(document)s"), instance=instance_id, document=sha256[:64])
    with casedesk().db.transaction() as conn:
        archive = archive_of_instance(conn, instance_id)
    if archive is not None and archive.guarded:
        raise Forbidden(N_("the case is archived as %(number)s: read its documents through an approved "
                           "borrowing of the archive (R-6.4)"), number=archive.number)
    return download(casedesk().documents.get(sha256), held["name"])
