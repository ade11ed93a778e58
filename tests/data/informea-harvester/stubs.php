<?php
// The least of Drupal 7, its Migrate module and the portal's ODataMigrationUtil that the InforMEA
// harvester's consumer classes and migrations (../shared/corpus/informea-harvester/) need to run
// under php-cli, outside Drupal. Our own code (meabridge tests/partner/informea_harvester_test.cc),
// not the portal's: the corpus holds none of these classes, so each stub's behaviour is derived
// from how the harvester's files call it, as each comment says. What a stub cannot know (nodes,
// taxonomy terms, the site's database) it answers so that the value the portal would store is
// visible: a term "id" is the term's name, a country "node" is its ISO code, a treaty node's nid
// is a number (validateTreaty() requires one) that harvester_treaty_name() maps back.
//
// Everything the migrations log (ws_consumer_odata_log) is kept in $GLOBALS['harvester_log'] and
// printed by the driver beside each record.

$GLOBALS['harvester_log'] = array();
$GLOBALS['harvester_requests'] = array();  // every URL http_request() fetched
$GLOBALS['harvester_config'] = NULL;    // what variable_get('informea_odata_consumer_config') holds
$GLOBALS['harvester_treaties'] = array();  // nid => OData name

// --- Drupal core ---------------------------------------------------------------------------

// ODataConsumerConfig::getConfiguration() reads its endpoints and page size from this
// variable (JSON); the driver sets it to point every endpoint at meabridge.
function variable_get($name, $default = NULL) {
  if ($name == 'informea_odata_consumer_config' && $GLOBALS['harvester_config'] !== NULL) {
    return json_encode($GLOBALS['harvester_config']);
  }
  return $default;
}
function variable_set($name, $value) {}
function module_load_include($type, $module, $name = NULL) {}
// AbstractODataMigration::prepare() asks for 'uuid'; prepare() is not part of prepareRow.
function module_exists($module) { return FALSE; }
function drush_log($message, $type = 'notice') { harvester_log('drush: ' . $message); }
// AbstractODataMigration::getTreatyByODataIdentifier() loads the hard-coded Regional Seas nids.
function node_load($nid) {
  return isset($GLOBALS['harvester_treaties'][$nid]) ? (object) array('nid' => $nid) : FALSE;
}
function language_list() { return array('en' => 1, 'fr' => 1, 'es' => 1, 'ru' => 1, 'ar' => 1, 'zh' => 1); }

// db_select() serves getTreatyByODataIdentifier()'s fallback (field_data_field_odata_identifier)
// and DecisionsODataMigration's meeting look-ups (migrate_map_odata_*_meetings, node): a site
// whose database holds none of them. A decision's meetingId therefore maps to no node, as on
// a portal that has not harvested that treaty's meetings; the driver reports the source's
// meetingId beside it.
class HarvesterQueryStub {
  public function __call($name, $arguments) { return $this; }
  public function execute() { return $this; }
  public function fetchField() { return FALSE; }
  public function fetchAllKeyed() { return array(); }
}
function db_select($table, $alias = NULL) { return new HarvesterQueryStub(); }

// --- the portal's modules --------------------------------------------------------------------

// The treaty module: every OData name is a treaty the portal knows (the driver lists what the
// store holds, and an unknown name would be the portal's gap, not ours); nids from 1000 up.
function treaty_load_by_odata_name($name) {
  if ($name === NULL || $name === '') {
    return NULL;
  }
  $nid = array_search($name, $GLOBALS['harvester_treaties'], TRUE);
  if ($nid === FALSE) {
    $nid = 1000 + count($GLOBALS['harvester_treaties']);
    $GLOBALS['harvester_treaties'][$nid] = $name;
  }
  return (object) array('nid' => $nid);
}
function harvester_treaty_name($nid) {
  return isset($GLOBALS['harvester_treaties'][$nid]) ? $GLOBALS['harvester_treaties'][$nid] : NULL;
}
// The country module: a country node for every ISO code (AbstractODataMigration::prepareRow()
// stores its nid); the node's "nid" is the code in capitals, so the stored value shows it.
function country_load_by_iso($iso) {
  return empty($iso) ? NULL : (object) array('nid' => strtoupper($iso));
}
// Taxonomy: DecisionsODataMigration and DocumentsODataMigration read the vocabulary's vid.
function taxonomy_vocabulary_machine_name_load($name) { return (object) array('vid' => $name); }
// DocumentsODataMigration maps tags to thesaurus terms: the term "id" is the tag itself.
function thesaurus_get_brs_map_terms($value) { return empty($value) ? array() : array($value => $value); }

function ws_consumer_odata_log($message, $severity = 'status') { harvester_log($message); }
function harvester_log($message) { $GLOBALS['harvester_log'][] = $message; }

// --- Drupal Migrate ----------------------------------------------------------------------------

function migrate_instrument_start($name) {}
function migrate_instrument_stop($name) {}
class MigrateException extends Exception {}
class MigrateFile { const FILE_EXISTS_REUSE = 2; }
class MigrateSQLMap {
  public function __construct($machine_name, $source_key, $destination_key) {}
}
class MigrateDestinationNode {
  public $type;
  public function __construct($type, $options = array()) { $this->type = $type; }
  public static function getKeySchema() { return array('nid' => array('type' => 'int')); }
  public function getEntityType() { return 'node'; }
}
// addFieldMapping(destination, source) as the migrations' constructors call it: the driver
// reads the mappings back (sources()) to print every source field the portal stores.
class MigrateFieldMapping {
  public $destination;
  public $source;
  public $default;
  public function __construct($destination, $source) {
    $this->destination = $destination;
    $this->source = $source;
  }
  public function defaultValue($value) { $this->default = $value; return $this; }
  public function __call($name, $arguments) { return $this; }
}
abstract class MigrationBase {
  const MESSAGE_ERROR = 1;
  const MESSAGE_WARNING = 2;
  const MESSAGE_NOTICE = 3;
  const MESSAGE_INFORMATIONAL = 4;
  protected $machineName;
  protected $description;
  protected $dependencies = array();
  protected static $current = NULL;
  public function __construct($arguments = array()) {
    $this->machineName = isset($arguments['machine_name']) ? $arguments['machine_name'] : get_class($this);
    self::$current = $this;
  }
  public function getMachineName() { return $this->machineName; }
  public function getOption($name) { return NULL; }
  public static function currentMigration() { return self::$current; }
}
abstract class Migration extends MigrationBase {
  protected $source;
  protected $map;
  protected $destination;
  protected $fieldMappings = array();
  public function addFieldMapping($destination, $source = NULL) {
    $m = new MigrateFieldMapping($destination, $source);
    $this->fieldMappings[] = $m;
    return $m;
  }
  public function addUnmigratedDestinations($fields) {}
  public function addUnmigratedSources($fields) {}
  public function getDestination() { return $this->destination; }
  public function getMap() { return $this->map; }
  public function getSource() { return $this->source; }
  // Migration::prepareRow() in Migrate 2 returns TRUE unless a hook vetoes the row.
  public function prepareRow($row) { return TRUE; }
  public function postImport() {}
  // The source fields the constructor mapped, in order, once each.
  public function sources() {
    $ret = array();
    foreach ($this->fieldMappings as $m) {
      if ($m->source !== NULL && !in_array($m->source, $ret)) {
        $ret[] = $m->source;
      }
    }
    return $ret;
  }
}
// The migrations' sources extend InforMEAAbstractODataMigrateSource (not in the corpus):
// constructed with ($arguments, $config) and asked for getConsumer(), the consumer class that
// ODataConsumerConfig::getODataConsumerClass() names for the source.
abstract class InforMEAAbstractODataMigrateSource {
  protected $config;
  protected $consumer;
  public function __construct($arguments, $config) {
    $this->config = $config;
    $klass = $config->getODataConsumerClass();
    $this->consumer = new $klass($config);
  }
  public function getConsumer() { return $this->consumer; }
  abstract public function fields();
}

// --- ODataMigrationUtil ------------------------------------------------------------------------

class ODataMigrationUtil {
  public static $UN_LANGUAGES = array('en', 'fr', 'es', 'ru', 'ar', 'zh');

  // ODataConsumer calls http_request($url, $headers) and treats an empty answer as a failure
  // (it then tries $inlinecount, or logs); the body otherwise. $GLOBALS['harvester_headers']
  // adds request headers (the driver's V3 run sends none: the corpus's consumer asks for
  // nothing but Accept: application/json).
  public static function http_request($url, $headers = array()) {
    $ch = curl_init($url);
    $all = array_merge($headers, isset($GLOBALS['harvester_headers']) ? $GLOBALS['harvester_headers'] : array());
    curl_setopt($ch, CURLOPT_HTTPHEADER, $all);
    curl_setopt($ch, CURLOPT_RETURNTRANSFER, TRUE);
    curl_setopt($ch, CURLOPT_TIMEOUT, 30);
    curl_setopt($ch, CURLOPT_ENCODING, '');
    $body = curl_exec($ch);
    $code = curl_getinfo($ch, CURLINFO_HTTP_CODE);
    curl_close($ch);
    $GLOBALS['harvester_requests'][] = $url;
    if ($body === FALSE || $code < 200 || $code >= 300) {
      harvester_log("http_request: $code for $url");
      return NULL;
    }
    return $body;
  }

  // The issue's reading of the migrations: the six UN languages stay, any other language
  // becomes 'en' (zh-hans/zh-hant are Chinese). Meetings and Decisions files apply it to
  // every language they store.
  public static function fixLanguage($language) {
    $l = strtolower(trim((string) $language));
    if (strpos($l, 'zh') === 0) {
      return 'zh';
    }
    return in_array($l, self::$UN_LANGUAGES) ? $l : 'en';
  }

  // title_en: validateEnglishTitle() skips a record without one; the first child whose
  // language fixLanguage() makes English wins.
  public static function prepareTitle($values) {
    if (!empty($values)) {
      foreach ($values as $v) {
        if (!empty($v->value) && self::fixLanguage($v->language) == 'en') {
          return trim($v->value);
        }
      }
    }
    return NULL;
  }

  // list($values, $languages) = getSingleValuedMultilingualField($children): two arrays with
  // the same keys (DocumentsODataMigration indexes the titles by the key of a language), one
  // value per language child, in the order the service sent them (DecisionsODataMigration
  // pairs summaries with bodies by position).
  public static function getSingleValuedMultilingualField($values) {
    $ret = array();
    $languages = array();
    if (!empty($values)) {
      foreach ($values as $v) {
        if (isset($v->value) && $v->value !== '') {
          $ret[] = $v->value;
          $languages[] = $v->language;
        }
      }
    }
    return array($ret, $languages);
  }

  // The migrations fall back on it when a file has no filename: the URL's last path segment.
  public static function filenameFromURL($url) {
    $path = parse_url($url, PHP_URL_PATH);
    return $path ? basename($path) : NULL;
  }

  // Decisions: bodies and summaries lose their links (the portal's pages link on their own);
  // the text between <a> and </a> stays.
  public static function removeHtmlAnchors($html) {
    return preg_replace('#</?a(\s[^>]*)?>#i', '', $html);
  }
  // Decisions' bodies; what it fixes is not known from the corpus: unchanged.
  public static function fixI18NString($text) { return $text; }
  // Documents' Russian titles; unchanged.
  public static function fix_unicode_characters($text) { return $text; }
  // Term "ids" are the terms' names (see the header).
  public static function getTaxonomyTermByName($name, $vid) { return empty($name) ? NULL : $name; }
  public static function getOrCreateTaxonomyTermByName($name, $vid) { return empty($name) ? NULL : $name; }
}
