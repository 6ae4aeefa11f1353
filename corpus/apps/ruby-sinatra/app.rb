# frozen_string_literal: true

require "json"
require "securerandom"
require "sinatra/base"

# In-memory bookmark store shared by all requests of one process.
class BookmarkStore
  Bookmark = Struct.new(:id, :url, :title, :created_at, keyword_init: true) do
    def to_h
      { id: id, url: url, title: title, created_at: created_at.utc.iso8601 }
    end
  end

  def initialize
    @items = {}
    @lock = Mutex.new
  end

  def all
    @lock.synchronize { @items.values.sort_by(&:created_at) }
  end

  def add(url:, title: nil)
    bookmark = Bookmark.new(id: SecureRandom.hex(4), url: url, title: title || url,
                            created_at: Time.now)
    @lock.synchronize { @items[bookmark.id] = bookmark }
    bookmark
  end

  def delete(id)
    @lock.synchronize { !@items.delete(id).nil? }
  end
end

class BookmarksApp < Sinatra::Base
  configure do
    set :store, BookmarkStore.new
    set :views, File.join(__dir__, "views")
    set :show_exceptions, false
  end

  helpers do
    def json(status_code, document)
      content_type :json
      halt status_code, JSON.generate(document)
    end

    def store
      settings.store
    end

    # JSON bodies are parsed here; form posts arrive already parsed in params.
    def payload
      raw = request.body.read
      return params if raw.nil? || raw.empty?

      JSON.parse(raw)
    rescue JSON::ParserError
      {}
    end
  end

  get "/health" do
    json 200, status: "ok"
  end

  get "/" do
    @bookmarks = store.all
    erb :index
  end

  get "/bookmarks" do
    json 200, store.all.map(&:to_h)
  end

  post "/bookmarks" do
    data = payload
    url = data["url"].to_s
    json 422, error: "url must start with http:// or https://" unless url.match?(%r{\Ahttps?://\S+\z})

    json 201, store.add(url: url, title: data["title"]).to_h
  end

  delete "/bookmarks/:id" do
    json 404, error: "not found" unless store.delete(params[:id])

    status 204
  end

  not_found do
    content_type :json
    JSON.generate(error: "not found")
  end
end
