port ENV.fetch("PORT")
