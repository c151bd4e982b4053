"""Pages for evidence files: upload one, read its report, download its rejected rows."""

import csv

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from earlyhelp.access import Action, page_for
from outcomes.engine.kinds import EVIDENCE_KINDS
from outcomes.evidence_files import COLUMNS, MAX_ROWS, EvidenceFileError

from .forms import EvidenceFileForm
from .models import EvidenceFile
from .services import evidence_file_import

# Whoever the gate lets add evidence somewhere; which families a file may name is the
# gate's answer for the uploader (families_allowing), row by row.
uploaders = page_for(Action.ADD_EVIDENCE)
PROBLEMS_PER_PAGE = 100


@uploaders
def evidence_file_upload(request):
    posted = request.method == "POST"
    form = EvidenceFileForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = evidence_file_import(name=upload.name, data=upload.read(), by=request.user)
        except EvidenceFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("evidence-file-report", file_id=record.pk)
    return render(
        request,
        "partners/evidence_file_upload.html",
        {
            "form": form,
            "columns": COLUMNS,
            "max_rows": f"{MAX_ROWS:,}",
            "kinds": _kinds(),
            "recent": EvidenceFile.objects.filter(uploaded_by=request.user)[:10],
        },
        status=400 if form.errors else 200,
    )


TYPE_WORDS = {
    "bool": "true or false",
    "count": "a whole number, 0 or more",
    "number": "a number, 0 or more",
    "text": "text",
    "date": "a date",
}


def _kinds() -> list[dict]:
    """Each kind with its values in words, for the layout help."""
    kinds = []
    for kind in sorted(EVIDENCE_KINDS.values(), key=lambda k: k.name):
        values = []
        for required, pairs in ((True, kind.required), (False, kind.optional)):
            for key, expected in pairs:
                words = (
                    "one of " + ", ".join(expected)
                    if isinstance(expected, tuple)
                    else TYPE_WORDS.get(expected, str(expected))
                )
                values.append((key, words if required else f"{words} (optional)"))
        kinds.append({"name": kind.name, "description": kind.description, "values": values})
    return kinds


def _own_file(user, file_id) -> EvidenceFile:
    """A report is its uploader's alone: anyone else's answers as a missing one."""
    record = EvidenceFile.objects.filter(pk=file_id, uploaded_by=user).first()
    if record is None:
        raise Http404("No such evidence file")
    return record


@uploaders
def evidence_file_report(request, file_id):
    record = _own_file(request.user, file_id)
    page = Paginator(record.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "partners/evidence_file_report.html", {"file": record, "page": page})


@uploaders
def evidence_file_problems(request, file_id):
    """The report's table of rejected rows, every one of them, as CSV."""
    record = _own_file(request.user, file_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stem = record.name.rsplit(".", 1)[0].replace('"', "")[:100] or "evidence"
    response["Content-Disposition"] = f'attachment; filename="{stem}-rejected-rows.csv"'
    writer = csv.writer(response)
    writer.writerow(["row", "field", "reason"])
    for row, field, message in record.problems:
        writer.writerow([row, _cell(field), _cell(message)])
    return response


def _cell(text: str) -> str:
    """Text from the uploaded file, kept from being read as a formula by a spreadsheet."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
