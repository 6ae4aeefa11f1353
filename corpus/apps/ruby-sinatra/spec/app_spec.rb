# frozen_string_literal: true

RSpec.describe BookmarksApp do
  def app
    BookmarksApp
  end

  it "reports health" do
    get "/health"
    expect(last_response.status).to eq(200)
    expect(JSON.parse(last_response.body)).to eq("status" => "ok")
  end

  it "stores and lists a bookmark" do
    post "/bookmarks", JSON.generate(url: "https://example.org/", title: "Example"),
         "CONTENT_TYPE" => "application/json"
    expect(last_response.status).to eq(201)

    get "/bookmarks"
    titles = JSON.parse(last_response.body).map { |b| b["title"] }
    expect(titles).to include("Example")
  end

  it "rejects a bookmark without a usable url" do
    post "/bookmarks", JSON.generate(url: "ftp:/nope"), "CONTENT_TYPE" => "application/json"
    expect(last_response.status).to eq(422)
  end

  it "answers unknown paths with 404" do
    get "/nowhere"
    expect(last_response.status).to eq(404)
  end
end
