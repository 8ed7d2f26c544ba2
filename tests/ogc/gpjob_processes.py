"""pygeoapi (0.24) process plugins used by gpjob_widget's OGC API tests.

Referenced from pygeoapi-config.yml as ``gpjob_processes.<Class>``; the
directory holding this file must be on PYTHONPATH (launch.py does that).

How a pygeoapi processor reports progress
-----------------------------------------
pygeoapi 0.24 hands a processor only its job id (``set_job_id(job_id)``,
called by the manager right after it picks the id) and then calls
``execute(data, outputs=None)``, where ``outputs`` is only passed when
``self.supports_outputs`` is true.  The processor gets no handle to the job
manager.  The manager itself only writes ``accepted``/progress 5 before the
run, and ``running``/95 "Writing job output" then ``successful``/100 after
``execute`` returns, so without help a job stays ``accepted`` for its whole
run.  We therefore build our own manager from the same config
(``get_manager(get_config())`` reads $PYGEOAPI_CONFIG); the TinyDB manager
re-opens its file under a file lock on every call, so two manager objects on
one file are safe.
"""

import json
import logging
import time
from pathlib import Path

from pygeoapi.process.base import BaseProcessor, JobNotFoundError, ProcessorExecuteError
from pygeoapi.util import get_current_datetime

LOGGER = logging.getLogger(__name__)

_MANAGER = None


def _manager():
    """A job manager on the same job store as the server's (cached)."""
    global _MANAGER
    if _MANAGER is None:
        from pygeoapi.config import get_config
        from pygeoapi.process.manager.base import get_manager
        _MANAGER = get_manager(get_config())
    return _MANAGER


def _as_bool(value, name):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ('true', 'false'):
        return value.lower() == 'true'
    raise ProcessorExecuteError(f'input {name!r} must be a boolean, '
                                f'got {value!r}')


def _as_seconds(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProcessorExecuteError(
            f"input 'seconds' must be a number, got {value!r}")
    if not 0 <= value <= 3600:
        raise ProcessorExecuteError(
            f"input 'seconds' must be between 0 and 3600, got {value!r}")
    return float(value)


COUNTDOWN_METADATA = {
    'version': '1.0.0',
    'id': 'countdown',
    'title': {'en': 'Countdown'},
    'description': {
        'en': 'Waits `seconds` seconds, reporting progress and a message '
              'about once a second, then returns a small GeoJSON '
              'FeatureCollection and the number of ticks; fails on '
              'purpose when `fail` is true.'},
    'jobControlOptions': ['sync-execute', 'async-execute'],
    'outputTransmission': ['value'],
    'keywords': ['test', 'long-running'],
    'links': [],
    'inputs': {
        'seconds': {
            'title': 'Seconds',
            'description': 'How long the job runs (0 to 3600).',
            'schema': {'type': 'number', 'default': 10,
                       'minimum': 0, 'maximum': 3600},
            'minOccurs': 0, 'maxOccurs': 1,
        },
        'fail': {
            'title': 'Fail',
            'description': 'Raise an error at the end instead of returning.',
            'schema': {'type': 'boolean', 'default': False},
            'minOccurs': 0, 'maxOccurs': 1,
        },
        'cancel_on_dismiss': {
            'title': 'Stop when dismissed',
            'description': 'Stop early once the job record is gone '
                           '(DELETE /jobs/{id}); pygeoapi itself never '
                           'stops a running job.',
            'schema': {'type': 'boolean', 'default': True},
            'minOccurs': 0, 'maxOccurs': 1,
        },
    },
    'outputs': {
        'points': {
            'title': 'Points',
            'description': 'A small GeoJSON FeatureCollection.',
            'schema': {'type': 'object',
                       'contentMediaType': 'application/geo+json'},
        },
        'ticks': {
            'title': 'Ticks',
            'description': 'How many progress steps were reported.',
            'schema': {'type': 'integer'},
        },
    },
    'example': {'inputs': {'seconds': 5, 'fail': False}},
}


class CountdownProcessor(BaseProcessor):
    """Long-running test process with progress reports."""

    def __init__(self, processor_def):
        super().__init__(processor_def, COUNTDOWN_METADATA)
        self.supports_outputs = True
        self.job_id = None

    def set_job_id(self, job_id):
        self.job_id = job_id

    def _report(self, progress, message):
        """Write status/progress/message; False once the job is gone."""
        if self.job_id is None:
            return True
        manager = _manager()
        try:
            manager.get_job(self.job_id)
        except JobNotFoundError:
            return False
        manager.update_job(self.job_id, {
            'status': 'running',
            'progress': int(progress),
            'message': message,
            'updated': get_current_datetime(),
        })
        return True

    def execute(self, data, outputs=None):
        seconds = _as_seconds(data.get('seconds', 10))
        fail = _as_bool(data.get('fail', False), 'fail')
        cancel = _as_bool(data.get('cancel_on_dismiss', True),
                          'cancel_on_dismiss')

        ticks = max(1, round(seconds))
        step = seconds / ticks
        # progress runs 0..90 here; the manager then writes 95
        # ("Writing job output") and 100 ("Job complete").
        for i in range(ticks):
            alive = self._report(
                90 * i / ticks,
                f'countdown: {seconds - i * step:g} s left '
                f'(step {i + 1}/{ticks})')
            if not alive:
                LOGGER.warning('countdown %s: job dismissed at step %d',
                               self.job_id, i + 1)
                if cancel:
                    raise ProcessorExecuteError('job was dismissed')
            LOGGER.info('countdown %s: step %d/%d', self.job_id, i + 1, ticks)
            time.sleep(step)
        self._report(90, 'countdown: done, preparing outputs')

        if fail:
            raise ProcessorExecuteError(
                f'countdown failed on purpose after {seconds:g} s '
                '(input fail=true)')

        points = {
            'type': 'FeatureCollection',
            'features': [
                {'type': 'Feature', 'id': n,
                 'geometry': {'type': 'Point', 'coordinates': [x, y]},
                 'properties': {'name': name, 'tick': n}}
                for n, (name, x, y) in enumerate([
                    ('origin', 0.0, 0.0),
                    ('north', 0.0, 1.0),
                    ('east', 1.0, 0.0)])
            ],
        }
        result = {'points': points, 'ticks': ticks}
        if outputs:
            result = {k: v for k, v in result.items() if k in outputs}
        return 'application/json', result

    def __repr__(self):
        return f'<CountdownProcessor> {self.name}'


HREF_METADATA = {
    'version': '1.0.0',
    'id': 'href-output',
    'title': {'en': 'Output by reference'},
    'description': {
        'en': 'Writes a small GeoJSON file and returns it by reference '
              '({"href": ...}). pygeoapi has no support of its own for '
              'transmissionMode=reference: the href is whatever the '
              'process returns, and pygeoapi does not serve the file.'},
    'jobControlOptions': ['sync-execute', 'async-execute'],
    'outputTransmission': ['reference'],
    'keywords': ['test', 'reference'],
    'links': [],
    'inputs': {
        'href': {
            'title': 'Href',
            'description': 'URL to return instead of the written file\'s '
                           'file:// URL (e.g. a URL the test serves).',
            'schema': {'type': 'string', 'format': 'uri'},
            'minOccurs': 0, 'maxOccurs': 1,
        },
    },
    'outputs': {
        'result': {
            'title': 'Result (by reference)',
            'schema': {'type': 'object',
                       'contentMediaType': 'application/geo+json'},
        },
    },
    'example': {'inputs': {}},
}


class HrefOutputProcessor(BaseProcessor):
    """Returns its output as a link rather than inline."""

    def __init__(self, processor_def):
        super().__init__(processor_def, HREF_METADATA)
        self.job_id = None

    def set_job_id(self, job_id):
        self.job_id = job_id

    def execute(self, data, outputs=None):
        href = data.get('href')
        if href is not None and not isinstance(href, str):
            raise ProcessorExecuteError("input 'href' must be a string")
        if href is None:
            out_dir = Path(_manager().output_dir or '/tmp')
            out_dir.mkdir(parents=True, exist_ok=True)
            path = out_dir / f'href-output-{self.job_id or "nojob"}.geojson'
            path.write_text(json.dumps({
                'type': 'FeatureCollection',
                'features': [{'type': 'Feature', 'id': 0,
                              'geometry': {'type': 'Point',
                                           'coordinates': [0.0, 0.0]},
                              'properties': {'name': 'origin'}}]}))
            href = path.resolve().as_uri()
        return 'application/json', {
            'result': {'href': href, 'type': 'application/geo+json',
                       'rel': 'related', 'title': 'GeoJSON result'}}

    def __repr__(self):
        return f'<HrefOutputProcessor> {self.name}'


FORM_METADATA = {
    'version': '1.0.0',
    'id': 'form-inputs',
    'title': {'en': 'Form inputs'},
    'description': {'en': 'Declares one input of each JSON Schema kind a form meets and '
                          'returns exactly what it received (tests of TaskForm).'},
    'jobControlOptions': ['sync-execute', 'async-execute'],
    'outputTransmission': ['value'],
    'keywords': ['test'],
    'links': [],
    'inputs': {
        'label': {'title': 'Label', 'description': 'Any text.',
                  'schema': {'type': 'string'}, 'minOccurs': 1, 'maxOccurs': 1},
        'mode': {'title': 'Mode', 'schema': {'type': 'string',
                                             'enum': ['fast', 'exact'], 'default': 'fast'},
                 'minOccurs': 0, 'maxOccurs': 1},
        'count': {'title': 'Count', 'description': 'A whole number from 1 to 10.',
                  'schema': {'type': 'integer', 'minimum': 1, 'maximum': 10,
                             'default': 3}, 'minOccurs': 1, 'maxOccurs': 1},
        'ratio': {'title': 'Ratio', 'schema': {'type': 'number', 'minimum': 0,
                                               'maximum': 1}, 'minOccurs': 0},
        'flag': {'title': 'Flag', 'schema': {'type': 'boolean', 'default': False},
                 'minOccurs': 0},
        'when': {'title': 'When', 'schema': {'type': 'string', 'format': 'date-time'},
                 'minOccurs': 0},
        'sizes': {'title': 'Sizes', 'schema': {'type': 'array', 'minItems': 1,
                                               'maxItems': 3, 'items': {'type': 'number'}},
                  'minOccurs': 0},
        'area': {'title': 'Area', 'schema': {'allOf': [{'format': 'ogc-bbox'},
                                                      {'$ref': 'bbox.yaml'}]},
                 'minOccurs': 0},
        'places': {'title': 'Places', 'schema': {'allOf': [
            {'format': 'geojson-feature-collection'},
            {'$ref': 'https://geojson.org/schema/FeatureCollection.json'}]},
            'minOccurs': 0},
        'site': {'title': 'Site', 'description': 'One geometry (GeoJSON).',
                 'schema': {'allOf': [{'format': 'geojson-geometry'},
                                      {'$ref': 'https://geojson.org/schema/Geometry.json'}]},
                 'minOccurs': 0},
        'share': {'title': 'Share', 'description': 'More than 0, at most 1.',
                  'schema': {'type': 'number', 'exclusiveMinimum': 0, 'maximum': 1},
                  'minOccurs': 0},
    },
    'outputs': {
        'received': {'title': 'Received', 'description': 'The inputs as they arrived.',
                     'schema': {'type': 'object', 'contentMediaType': 'application/json'}},
    },
    'example': {'inputs': {'label': 'x', 'count': 3}},
}


class FormInputsProcessor(BaseProcessor):
    """Echoes its inputs, so a test can see exactly what a form sent."""

    def __init__(self, processor_def):
        super().__init__(processor_def, FORM_METADATA)

    def set_job_id(self, job_id):
        self.job_id = job_id

    def execute(self, data, outputs=None):
        return 'application/json', {'id': 'received', 'value': data}

    def __repr__(self):
        return f'<FormInputsProcessor> {self.name}'
