def picture(form):
    item = form.save(commit=False)
    return item
