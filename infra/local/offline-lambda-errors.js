'use strict';
/*
 * A Serverless plugin for `sls offline` only: an HTTP API request whose function fails (it cannot be loaded, it
 * throws past its own error handling, it times out) is answered 500 {"message":"Internal Server Error"}, as API
 * Gateway answers on AWS. serverless-offline 14 wraps such a failure of a payload-2.0 route into an HTTP 200
 * whose body is the error (HttpServer: a result without statusCode becomes a 200), so a webhook sender would
 * take "Cannot find module …" for an acknowledgement and never retry.
 *
 * It wraps LambdaFunction#runHandler of the serverless-offline the project pins (the module offline itself loads,
 * found by file path since its package exports do not list it). Invocations through offline's Lambda API (the
 * SQS pollers, `aws lambda invoke`) are not HTTP API events and keep their error. test/e2e/offline.test.ts
 * checks the behaviour against a stack whose bundles are gone.
 */
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const INTERNAL_ERROR = {
  statusCode: 500,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'Internal Server Error' }),
};

const isHttpApiEvent = (event) => event && event.version === '2.0' && event.requestContext && event.requestContext.http;

async function patchOffline(serviceDir) {
  const file = join(serviceDir, 'node_modules', 'serverless-offline', 'src', 'lambda', 'LambdaFunction.js');
  const { default: LambdaFunction } = await import(pathToFileURL(file).href);
  const proto = LambdaFunction.prototype;
  if (proto.runHandler.answersHttpErrors) return;
  const events = new WeakMap();
  const { setEvent, runHandler } = proto;
  proto.setEvent = function (event) {
    events.set(this, event);
    return setEvent.call(this, event);
  };
  proto.runHandler = async function () {
    try {
      return await runHandler.call(this);
    } catch (error) {
      const event = events.get(this);
      if (!isHttpApiEvent(event)) throw error;
      const { method, path } = event.requestContext.http;
      const reason = String(error && error.message ? error.message : error).split('\n')[0];
      process.stderr.write(`${method} ${path} 500: ${this.functionName} failed: ${reason}\n`);
      return INTERNAL_ERROR;
    }
  };
  proto.runHandler.answersHttpErrors = true;
}

class OfflineLambdaErrors {
  constructor(serverless) {
    const patch = () => patchOffline(serverless.serviceDir || serverless.config.servicePath);
    this.hooks = { 'before:offline:start:init': patch, 'before:offline:start': patch };
  }
}

module.exports = OfflineLambdaErrors;
