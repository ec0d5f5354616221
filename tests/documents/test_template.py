"""The compiled template renders what docxtpl renders, many documents from one compilation."""

from __future__ import annotations

import io
import zipfile

from docxtpl import DocxTemplate

from kokemus_docs.core.workspace import builtin_template
from kokemus_docs.documents.context import contract_context, intro_pack_context
from kokemus_docs.documents.template import CompiledTemplate
from tests.documents.test_documents import TEMPLATE_NAMES, docx_lines, fee_notice_context, small_register


def _contexts(workspace):
    register = small_register()
    contexts = []
    for contract in register.contracts.values():
        context, _ = contract_context(workspace, register, contract)
        contexts.append((f"contract_{context['lang']}.docx", context))
        context, _ = intro_pack_context(workspace, register, contract)
        contexts.append((f"intro_pack_{context['lang']}.docx", context))
    contexts += [(f"fee_notice_{lang}.docx", fee_notice_context(lang)) for lang in ("fi", "sv")]
    return contexts


def test_compiled_template_text_equals_docxtpl(workspace):
    contexts = _contexts(workspace)
    assert sorted(name for name, _ in contexts) == sorted(TEMPLATE_NAMES)
    for name, context in contexts:
        reference = DocxTemplate(builtin_template(name))
        reference.render(context, autoescape=True)
        buffer = io.BytesIO()
        reference.save(buffer)
        compiled = CompiledTemplate(builtin_template(name))
        mine = compiled.render_bytes(context)
        assert docx_lines(mine) == docx_lines(buffer.getvalue()), name
        # rendering twice from one compiled template gives the same document
        assert docx_lines(compiled.render_bytes(context)) == docx_lines(mine)


def test_line_breaks_and_tabs_in_values_render_as_docxtpl_does(workspace):
    name, context = next((n, c) for n, c in _contexts(workspace) if n == "contract_fi.docx")
    context = {**context, "expert": {**context["expert"], "wishes": "Ryhmät & luennot\nei iltaisin\tkiitos"}}
    reference = DocxTemplate(builtin_template(name))
    reference.render(context, autoescape=True)
    buffer = io.BytesIO()
    reference.save(buffer)
    mine = CompiledTemplate(builtin_template(name)).render_bytes(context)
    assert docx_lines(mine) == docx_lines(buffer.getvalue())
    assert b"<w:br/>" in zipfile.ZipFile(io.BytesIO(mine)).read("word/document.xml")


def test_fee_notice_lists_every_expert_and_line(workspace):
    lines = docx_lines(CompiledTemplate(builtin_template("fee_notice_fi.docx")).render_bytes(fee_notice_context("fi")))
    text = "\n".join(lines)
    assert text.count("14.10.2026 | Ryhmänohjaus & <tuki> | Toteutui | 1,5 | 27,50 € / tunti | 41,25 € | 0,00 €") == 4
    assert 'Liisa "Lii" Järvinen & Öhman (KA-102)' in text
    assert "Myöhässä & <x>" in text
    assert "{{" not in text and "{%" not in text
