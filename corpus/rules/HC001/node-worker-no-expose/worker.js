const queue = require("./queue");
queue.process(async (job) => job.run());
