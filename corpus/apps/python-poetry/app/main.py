from itertools import count

from fastapi import FastAPI, HTTPException
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from app import __version__

app = FastAPI(title="notes-api", version=__version__)

_ids = count(1)
_notes: dict[int, dict] = {}


class NoteIn(BaseModel):
    title: str
    body: str = ""


@app.get("/health", response_class=PlainTextResponse)
def health() -> str:
    return "ok"


@app.get("/notes")
def list_notes() -> list[dict]:
    return list(_notes.values())


@app.post("/notes", status_code=201)
def create_note(note: NoteIn) -> dict:
    note_id = next(_ids)
    _notes[note_id] = {"id": note_id, **note.model_dump()}
    return _notes[note_id]


@app.get("/notes/{note_id}")
def get_note(note_id: int) -> dict:
    if note_id not in _notes:
        raise HTTPException(status_code=404, detail="note not found")
    return _notes[note_id]
