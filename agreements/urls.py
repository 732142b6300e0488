from django.urls import path

from agreements.views import batches, letters, templates

app_name = "agreements"

urlpatterns = [
    path("agreements/", letters.overview, name="overview"),
    path("agreements/issue/", letters.issue, name="issue"),
    path("agreements/renew/", letters.renew, name="renew"),
    path("agreements/letters/<int:pk>/", letters.letter_detail, name="letter-detail"),
    path("agreements/letters/<int:pk>/pdf/", letters.letter_pdf_download, name="letter-pdf"),
    path("agreements/letters/<int:pk>/send/", letters.letter_send, name="letter-send"),
    path("agreements/letters/<int:pk>/sign/", letters.letter_sign, name="letter-sign"),
    path("agreements/letters/<int:pk>/countersign/", letters.letter_countersign, name="letter-countersign"),
    path("agreements/letters/<int:pk>/decline/", letters.letter_decline, name="letter-decline"),
    path("agreements/letters/<int:pk>/withdraw/", letters.letter_withdraw, name="letter-withdraw"),
    path("agreements/templates/", templates.template_list, name="template-list"),
    path("agreements/templates/new/", templates.template_create, name="template-create"),
    path("agreements/templates/default/", templates.template_default, name="template-default"),
    path("agreements/templates/<int:pk>/", templates.template_detail, name="template-detail"),
    path("agreements/templates/<int:pk>/edit/", templates.template_edit, name="template-edit"),
    path("agreements/download/", batches.zip_start, name="zip-start"),
    path("agreements/jobs/<int:pk>/", batches.job_detail, name="job-detail"),
    path("agreements/jobs/<int:pk>/zip/", batches.zip_download, name="zip-download"),
    path("verify/", batches.verify, name="verify"),
]
