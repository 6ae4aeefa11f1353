# a bot that remembers what it saw
File.write("seen.json", "{}")
File.open("bot.log", "a") { |f| f.puts "started" }
