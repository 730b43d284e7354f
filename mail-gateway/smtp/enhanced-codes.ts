// smtp-server derives the enhanced status code (RFC 3463) of an application's reply from the basic code
// alone: a 550 always becomes 5.1.1, a 552 always 5.2.2. Our replies need their own (550 5.7.1 for
// relaying, 552 5.3.4 for size), so a reply whose text already starts with an enhanced code keeps it and
// gets no second one; every other reply keeps the library's code.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SMTPConnection } = require('smtp-server/lib/smtp-connection.js') as {
  SMTPConnection: { prototype: { send(code: number, data?: unknown, context?: unknown): void; __ownEnhancedCodes?: boolean } };
};

const ENHANCED_CODE_AT_START = /^[245]\.\d{1,3}\.\d{1,3} /;

export function keepOwnEnhancedCodes(): void {
  const prototype = SMTPConnection.prototype;
  if (prototype.__ownEnhancedCodes) return;
  const librarySend = prototype.send;
  prototype.send = function send(this: unknown, code: number, data?: unknown, context?: unknown) {
    const ownCode = typeof data === 'string' && ENHANCED_CODE_AT_START.test(data);
    return librarySend.call(this, code, data, ownCode ? false : context);
  };
  prototype.__ownEnhancedCodes = true;
}
