// Flags that carry a secret: found in either form, and hidden from the command line `ps` shows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { redactedArguments, secretFlagsIn } from '../../src/cli/client/command-line-secrets.js';

describe('secretFlagsIn', () => {
  it('finds --access-key-secret and --plaintext as `--flag value` and `--flag=value`, once each', () => {
    assert.deepEqual(secretFlagsIn(['key', 'list', '--access-key-secret', 's', '--access-key-secret=t']), ['--access-key-secret']);
    assert.deepEqual(secretFlagsIn(['encrypt', '--key-id', 'k', '--plaintext=hi']), ['--plaintext']);
  });

  it('does not take the flags that read a secret from elsewhere for them', () => {
    assert.deepEqual(secretFlagsIn(['key', 'list', '--access-key-secret-file', '-', '--in', 'secret.txt']), []);
  });
});

describe('redactedArguments', () => {
  it('replaces the value of each secret flag and leaves every other argument', () => {
    assert.deepEqual(
      redactedArguments(['encrypt', '--key-id', 'k', '--plaintext', 'launch code', '--access-key-secret=abc', '--output', 'json']),
      ['encrypt', '--key-id', 'k', '--plaintext', '<hidden>', '--access-key-secret=<hidden>', '--output', 'json'],
    );
  });
});
