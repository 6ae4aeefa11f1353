using System.Collections.Concurrent;

namespace Api;

public record Note(int Id, string Text, DateTimeOffset CreatedAt);

public record NewNote(string Text);

/// <summary>Process-local note storage; good enough for a demo service.</summary>
public sealed class NoteStore
{
    private readonly ConcurrentDictionary<int, Note> _notes = new();
    private int _lastId;

    public IReadOnlyList<Note> All() => _notes.Values.OrderBy(n => n.Id).ToList();

    public Note? Find(int id) => _notes.TryGetValue(id, out var note) ? note : null;

    public Note Add(string text)
    {
        var note = new Note(Interlocked.Increment(ref _lastId), text, DateTimeOffset.UtcNow);
        _notes[note.Id] = note;
        return note;
    }

    public bool Remove(int id) => _notes.TryRemove(id, out _);
}
