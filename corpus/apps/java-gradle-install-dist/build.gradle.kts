// the root project only groups the build; app/ is the application
