"""Templates are data: a tag that reaches for Python's internals is a template error, and nothing runs."""

from __future__ import annotations

import docx
import pytest

from kokemus_docs.documents.assignments import render_contracts


@pytest.mark.parametrize("tag", [
    pytest.param("{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}", id="cycler-globals"),
    pytest.param("{{ ''.__class__.__mro__[1].__subclasses__() }}{{ lipsum.__globals__.os.system('touch %s') }}",
                 id="class-walk"),
    pytest.param("{% set x = joiner.__init__.__globals__ %}{{ x.os.popen('touch %s') }}", id="set-globals"),
])
def test_a_template_reaching_for_python_internals_is_refused_and_runs_nothing(workspace, register, tmp_path, tag):
    proof = tmp_path / "ran"
    document = docx.Document()
    document.add_paragraph().add_run("Sopimus {{ expert.full_name }}")
    document.add_paragraph().add_run(tag.replace("%s", str(proof)))
    document.save(str(workspace.templates_dir / "contract_fi.docx"))
    outcome = render_contracts(workspace, register)
    assert not proof.exists()
    errors = [e for e in outcome.errors if e.path == "templates/contract_fi.docx"]
    assert errors and all(e.code == "template-error" for e in errors)
    assert "Python's internals" in errors[0].message and "contract_fi.docx" in errors[0].message
    assert any(p.name.endswith(".docx") for p in outcome.written)  # the Swedish contracts are still written


def test_a_template_property_reaching_for_internals_is_refused(workspace, register, tmp_path):
    proof = tmp_path / "ran"
    document = docx.Document()
    document.add_paragraph().add_run("Sopimus {{ expert.full_name }}")
    document.core_properties.title = "{{ cycler.__init__.__globals__.os.popen('touch " + str(proof) + "').read() }}"
    document.save(str(workspace.templates_dir / "contract_fi.docx"))
    outcome = render_contracts(workspace, register)
    assert not proof.exists()
    assert any("Python's internals" in e.message for e in outcome.errors)
