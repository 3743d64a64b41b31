// A DynamoDB emulator in a process of its own (test/support/dynamo.ts `startTable({ ownProcess: true })`): on AWS,
// DynamoDB's work does not share the Lambda's CPU, so a benchmark that times the engine must not make it share it.
const dynalite = require('dynalite');

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
// The parent going away (a crash, Ctrl-C) takes the emulator with it.
process.on('disconnect', () => process.exit(0));
