using Api;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddEndpointsApiExplorer();
builder.Services.AddSwaggerGen();
builder.Services.AddSingleton<NoteStore>();

var app = builder.Build();

if (app.Environment.IsDevelopment())
{
    app.UseSwagger();
    app.UseSwaggerUI();
}

app.MapGet("/health", () => Results.Ok(new { status = "ok" }))
    .WithName("Health")
    .WithOpenApi();

var notes = app.MapGroup("/notes").WithOpenApi();

notes.MapGet("/", (NoteStore store) => store.All());

notes.MapGet("/{id:int}", (int id, NoteStore store) =>
    store.Find(id) is { } note ? Results.Ok(note) : Results.NotFound());

notes.MapPost("/", (NewNote input, NoteStore store) =>
{
    if (string.IsNullOrWhiteSpace(input.Text))
    {
        return Results.ValidationProblem(new Dictionary<string, string[]>
        {
            ["text"] = ["Text is required."],
        });
    }

    var note = store.Add(input.Text.Trim());
    return Results.Created($"/notes/{note.Id}", note);
});

notes.MapDelete("/{id:int}", (int id, NoteStore store) =>
    store.Remove(id) ? Results.NoContent() : Results.NotFound());

app.Run();
