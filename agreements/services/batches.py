"""Batches: every letter of a lab's school year in one ZIP, built entry by entry into a temporary
file (memory stays flat however many letters), then stored through Django's storage."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from agreements import access
from agreements.models import Letter

Progress = Callable[[int, int], None]


def letters_zip(
    *, lab_id: int, school_year: int, user: User, progress: Progress | None = None
) -> tuple[str, int]:
    """Store a ZIP of every letter of the lab for the year (the stored final PDF of complete
    letters, a fresh render marked "not complete" of the others). Returns its storage name and
    how many letters it holds."""
    from agreements.pdf import letter_pdf

    if not access.administers_lab(user, lab_id):
        raise PermissionDenied("Only the learning lab's admins download all its letters.")
    letters = (Letter.objects.filter(collaborative_id=lab_id, school_year=school_year)
               .select_related("collaborative", "district", "partner", "version__template").order_by("id"))  # fmt: skip
    total = letters.count()
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for done, letter in enumerate(letters.iterator(chunk_size=100), 1):
                name = f"{letter.school_year}-{letter.party_kind}-{slugify(str(letter.party))}-{letter.state}-{letter.pk}.pdf"
                with archive.open(name, "w", force_zip64=True) as entry:
                    if letter.pdf:
                        with letter.pdf.open("rb") as stored:
                            shutil.copyfileobj(stored, entry, 256 * 1024)
                    else:
                        entry.write(letter_pdf(letter))
                if progress:
                    progress(done, total)
        handle.seek(0)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        stored = default_storage.save(
            f"agreements/zips/letters-{lab_id}-{school_year}-{stamp}.zip", File(handle)
        )
    return stored, total
